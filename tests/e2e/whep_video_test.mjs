// A real browser plays an ffmpeg-published H.264 path over WHEP from ringcastd's own player page:
// frames decode, the first one within 1 s of the answer although the player joins mid-GOP (4 s
// GOP, joining ~2 s in), the jitter buffer stays under 250 ms (no lag behind live), and the
// page's DELETE ends the server-side session.
//
//   node tests/e2e/whep_video_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import { runTest, Daemon, startPublisher, openBrowser, playWhep, assertLowLatency,
         assertDeleteEndsSession, waitFor, assert } from "./lib.mjs";

await runTest("e2e.whep_video", async (t) => {
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start(["path.cam.source = publisher"]);
  const publisher = await startPublisher(t, daemon, "cam");
  const { page } = await openBrowser(t);

  await playWhep(page, daemon, "cam", publisher, "video");
  const size = await waitFor(() => page.evaluate(() => {
    const v = document.querySelector("video");
    return v.videoWidth ? `${v.videoWidth}x${v.videoHeight}` : null;
  }), 3000, "the video element's size");
  assert(size === "640x360", `the video element shows 640x360 (${size})`);
  await assertLowLatency(page, "video", "video/H264");
  await assertDeleteEndsSession(page, daemon, "cam");
});
