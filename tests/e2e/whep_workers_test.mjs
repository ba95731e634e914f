// Chromium plays paths that live on different workers (core.workers = 2): one pinned to worker 1,
// one the placement puts on worker 0, and a third viewer of the first path that the path's worker
// sends to worker 0's replica (webrtc.viewers_per_worker = 1). Each page's frames decode, the
// first within 1 s of the answer mid-GOP (fast start, on the replica too), wherever the browser's
// HTTP connection and datagrams land.
//
//   node tests/e2e/whep_workers_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]

import { runTest, Daemon, startPublisher, openBrowser, playWhep, waitFor, assert } from "./lib.mjs";

await runTest("e2e.whep_workers", async (t) => {
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl).start([
    "core.workers = 2",
    "webrtc.viewers_per_worker = 1",
    "path.pinned.source = publisher",
    "path.pinned.worker = 1",
    "path.other.source = publisher",
  ]);
  const value = async (key) => Number((await daemon.ctl("-n", key)).stdout.trim());
  const pinned = await startPublisher(t, daemon, "pinned");
  const other = await startPublisher(t, daemon, "other");
  assert(await value("stats.path.pinned.worker") === 1, "path pinned lives on worker 1");
  assert(await value("stats.path.other.worker") === 0, "path other lives on worker 0");

  const { page } = await openBrowser(t);
  await playWhep(page, daemon, "pinned", pinned, "video");
  const second = await page.context().newPage();
  await playWhep(second, daemon, "other", other, "video");
  // pinned has its one viewer on worker 1 now: the next goes to worker 0, from a replica.
  const third = await page.context().newPage();
  // playWhep joins mid-GOP again (1.5 s into one of the 4 s GOPs): the replica must fast-start too.
  await playWhep(third, daemon, "pinned", pinned, "video");
  // Path figures are a snapshot taken once a second.
  await waitFor(async () => await value("stats.path.pinned.replicas") === 1, 3000,
                "worker 0 serving pinned from a replica");
  for (const [p, name] of [[page, "pinned"], [second, "other"], [third, "pinned (replica)"]]) {
    const frames = await waitFor(() => p.evaluate(() => {
      const v = document.querySelector("video");
      const q = v.getVideoPlaybackQuality();
      return q.totalVideoFrames > 60 ? q.totalVideoFrames : null;
    }), 6000, `frames decoded on ${name}`);
    assert(frames > 60, `${name}: ${frames} frames decoded`);
  }
  for (let worker = 0; worker < 2; ++worker) {
    assert(await value(`stats.worker.${worker}.sessions`) >= 1, `worker ${worker} has sessions`);
  }
});
