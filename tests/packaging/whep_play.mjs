// Chromium plays a path over WHEP from an already running ringcastd (package_test.py's installed
// .rpm): the path's player page, until its first video frame decodes and 25 more follow. Uses
// tests/e2e/lib.mjs (Debian's chromium through playwright-core). Exit 0 pass, 1 fail; 77 when
// chromium or tests/e2e/node_modules is missing (package_test.py counts that as a failure).
//
//   node tests/packaging/whep_play.mjs http://127.0.0.1:PORT [path]

import { runTest, openPlayer, inbound, waitFor, assert } from "../e2e/lib.mjs";

const [httpBase, name = "demo"] = process.argv.slice(2);
process.argv.length = 2;  // runTest reads argv[2] as a ringcastd to report: there is none of ours

await runTest("packaging.rpm_whep", async (t) => {
  const page = await openPlayer(t, { httpBase }, name,
                                { ms: 20000, why: ` from the installed ringcastd at ${httpBase}` });
  const decoded = await waitFor(async () => {
    const video = await inbound(page, "video");
    return video && video.framesDecoded >= 25 ? video.framesDecoded : null;
  }, 10000, "25 decoded video frames");
  assert(decoded >= 25, `Chromium decoded ${decoded} frames of ${name} over WHEP`);
});
