// The WHEP test for a second codec: the publisher sends H.264 video and Opus audio; the browser
// plays the audio within 1 s of the answer (joining mid-GOP), its jitter buffer stays under
// 250 ms, and the page's DELETE ends the server-side session.
//
//   node tests/e2e/whep_audio_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import { runTest, Daemon, startPublisher, openBrowser, playWhep, assertLowLatency,
         assertDeleteEndsSession, waitFor } from "./lib.mjs";

await runTest("e2e.whep_audio", async (t) => {
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start(["path.mic.source = publisher"]);
  const publisher = await startPublisher(t, daemon, "mic", { audio: true });
  const { page } = await openBrowser(t);

  await playWhep(page, daemon, "mic", publisher, "audio");
  await waitFor(() => page.evaluate(() => window.ringcast.timing.video != null), 3000,
                "the video of the same session to decode too");
  await assertLowLatency(page, "audio", "audio/opus");
  await assertDeleteEndsSession(page, daemon, "mic");
});
