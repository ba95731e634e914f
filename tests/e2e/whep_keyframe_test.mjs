// Keyframe requests reach a camera that honours them: ringcastd pulls GStreamer's RTSP server
// (x264enc, a keyframe only every 20 s) and serves it with webrtc.fast_start = 0, so a new
// viewer must wait for a keyframe. ringcastd asks the camera for one (RTCP PLI on the RTSP
// connection, for the waiting viewer and for the browser's own PLIs), and the browser's first
// frame comes within 2 s of the answer instead of up to 20 s later.
//
//   node tests/e2e/whep_keyframe_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import { runTest, Daemon, startCamera, openBrowser, waitFor, assert, log } from "./lib.mjs";

await runTest("e2e.whep_keyframe", async (t) => {
  const camera = await startCamera(t, { keyInt: 500 });
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start([
    `path.cam.source = ${camera}`, "path.cam.source_transport = tcp", "webrtc.fast_start = 0",
  ]);
  await waitFor(async () => {
    const keyframes = await daemon.figure("stats.path.cam.keyframes");
    return keyframes !== null && Number(keyframes) >= 1;
  }, 15000, "the camera's first keyframe");
  await new Promise((resolve) => setTimeout(resolve, 2000));  // well inside the 20 s GOP
  const keyframesBefore = Number(await daemon.value("stats.path.cam.keyframes"));

  const { page } = await openBrowser(t);
  await page.goto(`${daemon.httpBase}/cam/`, { timeout: 10000 });
  await page.waitForFunction(() => window.ringcast?.timing?.video != null, null,
                             { timeout: 10000, polling: 50 });
  const timing = await page.evaluate(() => window.ringcast.timing);
  const firstFrameMs = timing.video - timing.answer;
  log("test", `first video frame ${firstFrameMs.toFixed(0)} ms after the answer`);
  assert(firstFrameMs < 2000, `first frame within 2 s of the answer (${firstFrameMs.toFixed(0)} ms)`);

  await new Promise((resolve) => setTimeout(resolve, 1200));  // figures are a 1 s snapshot
  const requests = Number(await daemon.value("stats.path.cam.keyframe_requests"));
  const keyframes = Number(await daemon.value("stats.path.cam.keyframes"));
  assert(requests >= 1, `keyframe requests forwarded to the camera (${requests})`);
  assert(keyframes > keyframesBefore, `the camera sent a keyframe on request (${keyframesBefore} → ${keyframes})`);
});
