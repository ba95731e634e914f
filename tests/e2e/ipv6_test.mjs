// IPv6 end to end, then dual-stack.
//
// 1. ringcastd with every listener on ::1 (RTSP, WHEP/HTTP, the WebRTC UDP port) and ::1 as its
//    one ICE candidate: ffmpeg publishes over rtsp://[::1]/…, ringcastd pulls that path again
//    from rtsp://[::1]/… into a second path, ffprobe reads the pulled path over RTSP/UDP and
//    RTSP/TCP on ::1, and Chromium plays the published path over WHEP from http://[::1]/… with
//    ICE, DTLS and SRTP on ::1. Then Chromium publishes its fake camera over WHIP to
//    http://[::1]/live/whip (Basic credentials) and ffprobe reads that path over
//    rtsp://[::1]/live.
// 2. ringcastd with wildcard listeners (the default ":PORT"): its WebRTC UDP port is an IPv6
//    socket (one per worker) that takes IPv4 too; Chromium plays over IPv4 through it (ICE answers the IPv4 peer
//    with its IPv4 address, as a v4-mapped peer is unmapped).
//
//   node tests/e2e/ipv6_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import fs from "node:fs";

import { runTest, Daemon, startPublisher, openBrowser, newPage, playWhep, publishWhip, basicAuth,
         waitFor, assert, run, logText, log, inbound } from "./lib.mjs";

// "h264,640,360" when ffprobe reads the path's video over `transport`.
async function probe(url, transport) {
  const result = await run("ffprobe", ["-v", "error", "-rtsp_transport", transport,
                                       "-select_streams", "v", "-show_entries",
                                       "stream=codec_name,width,height", "-of", "csv=p=0", url],
                           20000);
  log("test", `ffprobe ${transport} ${url}: ${result.code} ${result.stdout.trim()} ${result.stderr.trim()}`);
  return result.stdout.trim();
}

// The daemon's UDP sockets bound to `port`, by family, from its /proc net tables.
function udpSocketsOn(daemon, port) {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const count = (file) => fs.readFileSync(`/proc/${daemon.proc.pid}/net/${file}`, "utf8")
    .split("\n").slice(1).filter((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${hex}`)).length;
  return { v4: count("udp"), v6: count("udp6") };
}

await runTest("e2e.ipv6", async (t) => {
  if (!fs.existsSync("/proc/net/if_inet6")) {
    console.log("SKIP: this kernel has no IPv6");
    process.exit(77);
  }
  // --- 1: everything on ::1 -----------------------------------------------------------------
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl)
    .start(["path.cam.source = publisher", "path.live.source = publisher",
            "path.live.publish_user = pub", "path.live.publish_pass = v6-secret"], { host: "::1" });
  assert(daemon.rtspBase.startsWith("rtsp://[::1]:"), `RTSP on ::1 (${daemon.rtspBase})`);
  const publisher = await startPublisher(t, daemon, "cam");
  log("test", "ffmpeg published over IPv6");

  await daemon.set("path.relay.source", `${daemon.rtspBase}/cam`);
  await waitFor(async () => {
    const keyframes = await daemon.figure("stats.path.relay.keyframes");
    return keyframes !== null && !["", "0"].includes(keyframes);
  }, 15000, "path relay, pulled from rtsp://[::1]/cam, to get a keyframe");
  for (const transport of ["udp", "tcp"]) {
    const seen = await probe(`${daemon.rtspBase}/relay`, transport);
    assert(seen === "h264,640,360", `ffprobe reads the pulled path over RTSP/${transport} on ::1 (${seen})`);
  }

  const { context, page } = await openBrowser(t);
  await playWhep(page, daemon, "cam", publisher, "video");
  const frames = await waitFor(async () => {
    const video = await inbound(page, "video");
    return video?.framesDecoded > 30 ? video.framesDecoded : null;
  }, 10000, "30 decoded frames over IPv6");
  // The browser's own candidates: ::1, or another of this machine's IPv6 addresses, from which
  // the kernel delivers to ::1 as well.
  const ice = /ICE connected from (\[[0-9a-f:]+\]):\d+/.exec(logText());
  assert(ice !== null, `the session's ICE and media ran over IPv6 to ::1 (from ${ice?.[1]}; ` +
                       `${frames} frames decoded)`);

  // WHIP over ::1: a page on http://[::1]:PORT/ (a secure context, as getUserMedia needs)
  // publishes; ringcastd's one candidate is ::1, so connecting means ICE and DTLS ran over IPv6.
  const publisherPage = await newPage(context);
  await publisherPage.goto(`${daemon.httpBase}/`, { timeout: 10000 });
  const whip = await publishWhip(t, publisherPage, daemon, "live", { auth: basicAuth("pub", "v6-secret") });
  assert(whip.location.startsWith(daemon.httpBase), `WHIP over ::1 answered 201 (${whip.location})`);
  const sent = await waitFor(async () => {
    const stats = await whip.stats();
    return stats.video?.framesEncoded > 30 ? stats : null;
  }, 5000, "the WHIP publisher to send 30 frames");
  assert(sent.pair?.remote === "::1" && sent.pair.local?.includes(":"),
         `the WHIP publisher's media runs over IPv6 (from ${sent.pair?.local} to ${sent.pair?.remote})`);
  const codec = whip.media.video.codec.split("/")[0].toLowerCase();
  const live = await probe(`${daemon.rtspBase}/live`, "tcp");
  assert(live === `${codec},640,480`,
         `ffprobe reads the WHIP-published path over rtsp://[::1] (${live}; the browser sends ` +
         `${sent.video.codec} ${sent.video.frameWidth}x${sent.video.frameHeight})`);
  assert(await whip.stop() === 200, "DELETE ends the WHIP session over ::1");
  await publisherPage.close();
  await page.close();
  await daemon.stop();

  // --- 2: dual-stack --------------------------------------------------------------------------
  const dual = await new Daemon(t, t.ringcastd, t.ringcastctl)
    .start(["path.cam.source = publisher", "webrtc.advertise = 127.0.0.1"], { host: "" });
  const sockets = udpSocketsOn(dual, dual.udpPort);
  // One socket per worker (SO_REUSEPORT), every one of them IPv6.
  assert(sockets.v6 >= 1 && sockets.v4 === 0,
         `the WebRTC UDP port is IPv6 sockets only (udp6 ${sockets.v6}, udp ${sockets.v4})`);
  const publisher2 = await startPublisher(t, dual, "cam");
  const page2 = await context.newPage();
  await playWhep(page2, dual, "cam", publisher2, "video");
  const connected = logText().split("\n").filter((line) => line.includes("ICE connected from"));
  // From 127.0.0.1 or another of this machine's IPv4 addresses; logged as IPv4, not ::ffff:….
  const from = /ICE connected from (\d+\.\d+\.\d+\.\d+):\d+/.exec(connected.at(-1) ?? "");
  assert(from !== null, `an IPv4 viewer through the dual-stack port (from ${from?.[1]})`);
});
