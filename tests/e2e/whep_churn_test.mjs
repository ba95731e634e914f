// Session churn: one browser page opens 200 real WHEP sessions (video and audio, four at a time),
// waits for each to connect and receive video, then DELETEs it and closes its peer connection.
// Afterwards ringcastd has no session left, counted every one, and holds no more file descriptors
// or (within a small bound) memory than after the first 20.
//
//   node tests/e2e/whep_churn_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { runTest, Daemon, startPublisher, openBrowser, waitFor, withTimeout, log,
         assert } from "./lib.mjs";

const kWarmup = 20;     // the send-slot pool, the allocator's arenas and the HTTP connections settle
const kSessions = 200;  // Chromium refuses a page's 501st RTCPeerConnection until closed ones are GC'd
const kParallel = 4;
// Measured: 16-32 kB of growth over the 180 sessions after the warm-up (about 0.1 kB each, the
// allocator's noise). A session holds a DTLS connection, SRTP contexts and per-track senders, tens
// of kB: leaking even a small part of each (over 5 kB) crosses this bound.
const kRssGrowthKb = 1024;
const kHistoryFullMs = 6000;
const kStatsPeriodMs = 1200;  // ringcastd's webrtc figures are a snapshot taken once a second

// In the page: opens `count` WHEP sessions on /`name`/whep, `parallel` at a time. Each one
// connects, waits for a video packet (5 s at most), DELETEs its resource and closes. Resolves to
// { ok, failures: [first few messages], ms }.
function churnInPage({ name, count, parallel }) {
  const oneSession = async () => {
    const pc = new RTCPeerConnection();
    let resource = null;
    try {
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        const timer = setTimeout(resolve, 1000);
        pc.addEventListener("icegatheringstatechange", () => {
          if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
        });
      });
      const response = await fetch(`/${name}/whep`, {
        method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp,
      });
      if (response.status !== 201) throw new Error(`POST answered ${response.status}`);
      resource = new URL(response.headers.get("Location"), response.url).href;
      await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
      const deadline = performance.now() + 5000;
      for (;;) {
        if (pc.connectionState === "connected") {
          let packets = 0;
          (await pc.getStats()).forEach((s) => {
            if (s.type === "inbound-rtp" && s.kind === "video") packets = s.packetsReceived;
          });
          if (packets > 0) break;
        }
        if (performance.now() > deadline) {
          throw new Error(`no video packet within 5 s (connection ${pc.connectionState})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      if (resource) {
        const status = (await fetch(resource, { method: "DELETE" })).status;
        if (status !== 200) throw new Error(`DELETE ${resource} answered ${status}`);
      }
      pc.close();
    }
  };
  const started = performance.now();
  let next = 0;
  let ok = 0;
  const failures = [];
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        await oneSession();
        ok++;
      } catch (error) {
        failures.push(error.message || String(error));
      }
    }
  };
  return Promise.all(Array.from({ length: parallel }, worker))
      .then(() => ({ ok, failures: failures.slice(0, 5), failed: failures.length,
                     ms: performance.now() - started }));
}

await runTest("e2e.whep_churn", async (t) => {
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start(["path.cam.source = publisher"]);
  const publisher = await startPublisher(t, daemon, "cam", { audio: true });
  const { page } = await openBrowser(t);
  await page.goto(`${daemon.httpBase}/`, { timeout: 10000 });

  const churn = async (count, budgetMs) => {
    const result = await withTimeout(page.evaluate(churnInPage, { name: "cam", count, parallel: kParallel }),
                                     budgetMs, `${count} WHEP sessions`);
    log("test", `${count} sessions in ${(result.ms / 1000).toFixed(1)} s: ${result.ok} ok, ` +
                `${result.failed} failed ${JSON.stringify(result.failures)}`);
    assert(result.ok === count, `all ${count} sessions connected, received video and were deleted ` +
                                `(${result.ok}; failures ${JSON.stringify(result.failures)})`);
    await sleep(kStatsPeriodMs);
    await waitFor(async () => await daemon.value("stats.webrtc.sessions") === "0", 5000,
                  "stats.webrtc.sessions to return to 0");
  };
  const figures = async (label) => {
    await sleep(kStatsPeriodMs);
    const f = { ...daemon.process(), sendSlots: await daemon.value("stats.webrtc.send_slots"),
                total: Number(await daemon.value("stats.webrtc.sessions_total")) };
    log("test", `${label}: ${f.fds} fds (${f.httpKeepAlive} of them the browser's HTTP ` +
                `keep-alive connections), VmRSS ${f.rssKb} kB, sessions_total ${f.total}, ` +
                `send_slots ${f.sendSlots}`);
    return f;
  };

  const start = await figures("before");
  await churn(kWarmup, 20000);
  // The tracks' history keeps the run since the last keyframe: it reaches its size once a whole
  // GOP (4 s) and webrtc.nack_history_ms have gone by. Measure from there.
  await sleep(Math.max(0, publisher.firstKeyframeAt + kHistoryFullMs - Date.now()));
  const warm = await figures(`after ${kWarmup} sessions`);
  await churn(kSessions - kWarmup, 60000);
  assert(true, "stats.webrtc.sessions returned to 0");
  const end = await figures(`after ${kSessions} sessions`);

  assert(end.total - start.total === kSessions,
         `stats.webrtc.sessions_total counted all ${kSessions} sessions (${end.total - start.total})`);
  assert(end.fds - end.httpKeepAlive === warm.fds - warm.httpKeepAlive,
         `ringcastd holds as many fds besides the browser's keep-alive connections as after the ` +
         `warm-up (${end.fds} - ${end.httpKeepAlive} vs ${warm.fds} - ${warm.httpKeepAlive})`);
  assert(end.httpKeepAlive <= 6, `at most the browser's 6 keep-alive connections are open ` +
                                 `(${end.httpKeepAlive})`);
  const growthKb = end.rssKb - warm.rssKb;
  if (fs.readFileSync(t.ringcastd).includes("__asan_init")) {
    // ASan's quarantine holds freed memory back; LeakSanitizer checks at exit instead.
    log("test", `AddressSanitizer build: VmRSS grew ${growthKb} kB, not checked`);
    return;
  }
  assert(growthKb < kRssGrowthKb, `VmRSS grew by under ${kRssGrowthKb} kB over ` +
                                  `${kSessions - kWarmup} sessions (${growthKb} kB)`);
});
