// A camera that dies and comes back: ringcastd pulls GStreamer's RTSP server, a browser plays it
// over WHEP, and the camera is killed (SIGKILL, no TEARDOWN) and started again on the same port
// with a new SSRC, sequence and timestamp base. The browser keeps its session (same peer
// connection, same SSRC) and frames decode again once the camera is back; on the wire
// (tests/e2e/rtp_capture.py reads the RTP headers SRTP leaves in the clear) the sequence numbers
// run on without a jump and the timestamps advance with the wall clock, the outage included.
//
//   node tests/e2e/whep_restart_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]   (root)

import { spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { runTest, Daemon, startCameraProcess, openPlayer, inbound, waitFor, assert,
         log } from "./lib.mjs";

const kMaxSeqStep = 10;  // between consecutive packets on the wire (loopback loses nothing)
const kMaxDriftS = 0.5;  // between the RTP clock and the wall clock, from one packet to the next

// The RTP headers sent from `port` on loopback, from now until stop() resolves to the list of
// { t, ssrc, seq, ts, pt }.
async function captureRtp(t, port) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "rtp_capture.py");
  const child = spawn("/usr/bin/python3", [script, "--port", String(port), "--seconds", "60"],
                      { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (data) => { output += data; });
  child.stderr.setEncoding("utf8").on("data", (data) => log("capture", data));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  t.defer("stop the capture", () => child.kill("SIGKILL"));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`rtp_capture.py exited ${child.exitCode}`);
    return output.startsWith("READY\n");
  }, 5000, "rtp_capture.py to start");
  return {
    stop: async () => {
      child.stdin.end();
      await exited;
      return output.split("\n").slice(1).filter(Boolean).map((line) => JSON.parse(line));
    },
  };
}

// Steps between consecutive packets of `ssrc` that break the numbering: a sequence number that
// jumps (retransmissions, which repeat an older one, are left out) or an RTP timestamp that
// moves unlike the wall clock. Also the longest pause between packets: the outage.
function numberingBreaks(packets, ssrc, clockRate) {
  const breaks = [];
  let last = null;
  let widest = null;
  for (const p of packets.filter((p) => p.ssrc === ssrc)) {
    if (last !== null) {
      const seqStep = ((p.seq - last.seq) << 16) >> 16;  // signed 16-bit difference
      if (seqStep <= 0) continue;                        // a retransmission
      const wallS = p.t - last.t;
      const rtpS = ((p.ts - last.ts) | 0) / clockRate;  // signed 32-bit difference
      if (widest === null || wallS > widest.wallS) widest = { wallS, rtpS, seqStep };
      if (seqStep > kMaxSeqStep) breaks.push(`sequence ${last.seq} → ${p.seq}`);
      if (Math.abs(rtpS - wallS) > kMaxDriftS) {
        breaks.push(`timestamp ${last.ts} → ${p.ts}: ${rtpS.toFixed(3)} s of RTP time in ` +
                    `${wallS.toFixed(3)} s`);
      }
    }
    last = p;
  }
  return { breaks, widest };
}

await runTest("e2e.whep_restart", async (t) => {
  const camera = await startCameraProcess(t, { keyInt: 25 });
  // One datagram per sendmsg: a UDP_SEGMENT (GSO) run stays one frame on loopback, and the
  // capture would see only its first header.
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start([
    `path.cam.source = ${camera.url}`, "path.cam.source_transport = tcp", "webrtc.gso = 0",
  ]);
  await waitFor(async () => await daemon.figure("stats.path.cam.source_ready") === "1", 20000,
                "the camera pulled");
  const page = await openPlayer(t, daemon, "cam");
  await sleep(2000);
  const before = await inbound(page, "video");
  log("test", `before: ssrc ${before.ssrc}, received ${before.packetsReceived}, lost ` +
              `${before.packetsLost}, ${before.framesDecoded} frames`);

  const capture = await captureRtp(t, daemon.udpPort);
  await sleep(500);
  camera.child.kill("SIGKILL");
  await camera.child.exited;
  await waitFor(async () => await daemon.figure("stats.path.cam.source_ready") === "0", 20000,
                "ringcastd to notice the camera is gone");
  await sleep(1000);  // a real outage: the timestamps must account for it
  await startCameraProcess(t, { keyInt: 25, port: camera.port });
  await waitFor(async () => await daemon.figure("stats.path.cam.source_ready") === "1", 30000,
                "the camera pulled again");
  const reconnects = Number(await daemon.value("stats.path.cam.source_reconnects"));
  assert(reconnects >= 1, `ringcastd re-pulled the camera (source_reconnects ${reconnects})`);

  await sleep(3000);  // the restarted camera for a while
  const after = await inbound(page, "video");
  const packets = await capture.stop();
  const { breaks, widest } = numberingBreaks(packets, before.ssrc, 90000);
  log("test", `${packets.length} RTP packets captured; the longest pause: ` +
              `${widest?.wallS.toFixed(3)} s of wall clock, ${widest?.rtpS.toFixed(3)} s of RTP ` +
              `time, sequence +${widest?.seqStep}`);
  const lost = after.packetsLost - before.packetsLost;
  const frames = after.framesDecoded - before.framesDecoded;
  log("test", `after: ssrc ${after.ssrc}, received ${after.packetsReceived}, lost ` +
              `${after.packetsLost}, ${after.framesDecoded} frames`);

  const player = await page.evaluate(() => ({ state: window.ringcast.state,
                                              reconnects: window.ringcast.reconnects }));
  assert(player.reconnects === 0 && player.state === "connected",
         `the player kept its session (state ${player.state}, reconnects ${player.reconnects})`);
  assert(Number(await daemon.value("stats.webrtc.sessions")) === 1, "still one WebRTC session");
  assert(after.ssrc === before.ssrc, `the same SSRC (${before.ssrc} → ${after.ssrc})`);
  assert(widest !== null && widest.wallS > 1,
         `the capture saw the outage (${packets.length} packets, longest pause ${widest?.wallS} s)`);
  assert(breaks.length === 0,
         `sequence numbers and timestamps ran on across the restart: ${breaks.join("; ") || "no break"}`);
  assert(lost <= 5, `the browser counted ${lost} packets lost`);
  assert(frames >= 50, `frames decoded after the restart (${frames} since before the kill)`);
});
