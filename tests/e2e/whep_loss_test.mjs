// NACK recovery under loss: 2%, then 5% of the datagrams from ringcastd's WebRTC port to the
// browser are dropped (nftables in a network namespace of its own; the test re-runs itself in
// it). With webrtc.nack = 1 the browser's NACKs are answered with retransmissions: at least 99%
// of the video packets the rule dropped in the two windows reach the browser anyway (95% in
// each), and it keeps decoding at the source's rate; after `ringcastctl webrtc.nack=0` on the
// running daemon the same drops show up as lost packets and nothing is retransmitted.
//
//   node tests/e2e/whep_loss_test.mjs [build/bin/ringcastd [build/bin/ringcastctl]]   (root)

import { setTimeout as sleep } from "node:timers/promises";
import { runTest, reenterInLossyNetns, Daemon, startPublisher, openPlayer, inbound,
         log, assert } from "./lib.mjs";

const kUdpPort = 8189;       // fixed: the drop rule names it; the namespace is ours alone
const kWindowMs = 15000;
// After a window the loss stops for this long before the browser's figures are read: a packet
// dropped near the window's end has its NACK and retransmission still on the way, and would
// otherwise count as lost.
const kSettleMs = 1000;
// Of the video packets the rule dropped with NACK on, counted over both lossy windows (~150
// drops: one packet the browser gave up on is under 1%; in a single 2% window of ~45 drops it
// would be 2%). Each window on its own must recover kMinRecoveredPerWindow.
const kMinRecovered = 0.99;
const kMinRecoveredPerWindow = 0.95;

const loss = await reenterInLossyNetns({ udpPort: kUdpPort, perMille: 20 });

await runTest("e2e.whep_loss", async (t) => {
  // One datagram per sendmsg: over loopback a UDP_SEGMENT (GSO) run stays one skb up to the
  // receiving socket, so the rule would drop whole runs instead of single packets.
  const daemon = await new Daemon(t, t.ringcastd, t.ringcastctl)
      .start(["path.cam.source = publisher", "webrtc.gso = 0"], { udpPort: kUdpPort });
  await loss.setLoss(0);  // each window sets its own
  await startPublisher(t, daemon, "cam");
  const page = await openPlayer(t, daemon, "cam", { why: " under loss" });
  await sleep(1500);  // past the fast-start burst

  // `perMille` loss for `kWindowMs`, then none for `kSettleMs`: the deltas of the browser's
  // video figures and the server's over both, and of the rule's over the window.
  const measure = async (label, perMille) => {
    const snapshot = async () => ({
      rtp: await inbound(page, "video"),
      retransmits: Number(await daemon.value("stats.webrtc.retransmits")),
      nacks: Number(await daemon.value("stats.webrtc.nacks")),
      misses: Number(await daemon.value("stats.webrtc.nack_misses")),
      rule: await loss.counters(),
    });
    await loss.setLoss(perMille);
    const a = await snapshot();
    await sleep(kWindowMs);
    const rule = await loss.counters();
    await loss.setLoss(0);
    await sleep(kSettleMs);
    const b = { ...(await snapshot()), rule };
    const d = {
      received: b.rtp.packetsReceived - a.rtp.packetsReceived,
      lost: b.rtp.packetsLost - a.rtp.packetsLost,
      nackCount: b.rtp.nackCount - a.rtp.nackCount,
      frames: b.rtp.framesDecoded - a.rtp.framesDecoded,
      retransmits: b.retransmits - a.retransmits,
      nacks: b.nacks - a.nacks,
      misses: b.misses - a.misses,
      sent: b.rule.sent - a.rule.sent,
      dropped: b.rule.dropped - a.rule.dropped,
    };
    d.expected = d.received + d.lost;
    d.lostPct = (100 * d.lost) / d.expected;
    d.dropPct = (100 * d.dropped) / d.sent;
    d.fps = d.frames / ((kWindowMs + kSettleMs) / 1000);
    // What the rule dropped (originals and retransmissions alike, and the odd RTCP report)
    // against what the browser never got.
    d.recovered = d.dropped > 0 ? 1 - Math.max(d.lost, 0) / d.dropped : 1;
    log("test", `${label} over ${kWindowMs / 1000} s (+${kSettleMs / 1000} s without loss): rule dropped ${d.dropped}/${d.sent} ` +
                `(${d.dropPct.toFixed(2)}%); browser received ${d.received}, lost ${d.lost} ` +
                `(${d.lostPct.toFixed(2)}%; ${(100 * d.recovered).toFixed(1)}% of the drops ` +
                `recovered), nackCount +${d.nackCount}, ${d.fps.toFixed(1)} fps; ` +
                `server nacks +${d.nacks}, retransmits +${d.retransmits}, nack_misses +${d.misses}`);
    return d;
  };

  assert(await daemon.value("webrtc.nack") === "1", "webrtc.nack is 1 by default");
  const withNack = async (percent, low, high) => {
    const on = await measure(`${percent}% loss, nack=1`, percent * 10);
    assert(on.dropPct > low && on.dropPct < high,
           `the rule drops about ${percent}% of the server's datagrams (${on.dropped}/${on.sent})`);
    assert(on.nackCount > 0, `the browser sent NACKs (nackCount +${on.nackCount})`);
    assert(on.retransmits > 0, `the server retransmitted (+${on.retransmits})`);
    assert(on.recovered >= kMinRecoveredPerWindow,
           `with NACK at ${percent}% loss the browser got ${(100 * on.recovered).toFixed(1)}% of the ` +
           `dropped video packets back (lost ${on.lost} of ${on.dropped}; at least ` +
           `${100 * kMinRecoveredPerWindow}% required per window)`);
    assert(on.fps >= 20, `video kept decoding at about 30 fps (${on.fps.toFixed(1)})`);
    return on;
  };
  const two = await withNack(2, 0.8, 3.5);
  const five = await withNack(5, 3, 7.5);
  const dropped = two.dropped + five.dropped;
  const lost = Math.max(two.lost, 0) + Math.max(five.lost, 0);
  assert(dropped > 0 && 1 - lost / dropped >= kMinRecovered,
         `with NACK at 2% and 5% loss the browser got ${(100 * (1 - lost / dropped)).toFixed(1)}% of ` +
         `the dropped video packets back (lost ${lost} of ${dropped}; at least ` +
         `${100 * kMinRecovered}% required)`);

  await daemon.set("webrtc.nack", "0");
  // Past the retransmissions already on their way and ringcastd's once-a-second snapshot of its
  // figures, so that the window starts with webrtc.nack = 0 on both sides.
  await sleep(1500);
  const off = await measure("nack=0", 50);
  assert(off.dropPct > 3 && off.dropPct < 7.5,
         `the rule still drops about 5% (${off.dropped}/${off.sent})`);
  assert(off.nackCount > 0, `the browser still NACKs (nackCount +${off.nackCount})`);
  assert(off.retransmits === 0, `the server retransmitted nothing with webrtc.nack = 0 (+${off.retransmits})`);
  assert(off.lostPct >= 3 && off.lostPct > 0.7 * off.dropPct,
         `without NACK the drops show as losses (${off.lostPct.toFixed(2)}% of the video packets ` +
         `lost, ${off.dropPct.toFixed(2)}% of the datagrams dropped)`);
});
