// Browser test harness: a real ringcastd, an ffmpeg RTSP publisher and Debian's chromium driven
// by playwright-core (a WHEP viewer, or a WHIP publisher of its fake camera), each on free ports
// and in its own temp dir, all killed at the end.
//
// A test is `runTest(name, async (t) => { ... })`. Everything started through `t` is stopped
// when the body returns or throws (in reverse order, each step bounded); the output of every
// process goes to one log that is printed when the test fails. Exit codes: 0 pass, 1 fail,
// 77 (CTest's skip) when chromium or tests/e2e/node_modules is missing.
//
//   node tests/e2e/whep_video_test.mjs [path/to/ringcastd]
//   (also RINGCASTD=..., RINGCASTCTL=...; defaults: build/bin/ringcastd, build/bin/ringcastctl;
//   RINGCAST_E2E_LOG=1 prints the log when the test passes too)

import { spawn, execFile } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const kHere = path.dirname(fileURLToPath(import.meta.url));
const kRepo = path.resolve(kHere, "../..");
export const kChromium = "/usr/bin/chromium";
export const kChromiumArgs = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--allow-loopback-in-peer-connection", "--use-fake-ui-for-media-stream",
  // getUserMedia (the WHIP publisher) gets a synthetic camera and microphone: a moving test
  // pattern at 30 fps (the fake camera's default is 20) and a beep.
  "--use-fake-device-for-media-stream=fps=30",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
];
const kTestTimeoutMs = 90000;  // the whole test, clean-up included
const kSkip = 77;

const started = Date.now();
const logLines = [];
export function log(source, text) {
  const at = ((Date.now() - started) / 1000).toFixed(3).padStart(8);
  for (const line of String(text).split("\n")) {
    if (line.trim()) logLines.push(`${at} [${source}] ${line}`);
  }
}

export function logText() {
  return logLines.join("\n");
}

// Resolves `promise`, or rejects with `what` after `ms`.
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Polls `predicate` (sync or async) until truthy; returns its value or throws `what`.
export async function waitFor(predicate, ms, what, everyMs = 50) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.on("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

// Every child process, so that even an unexpected exit of the test kills them.
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

function startProcess(name, command, args) {
  log("test", `$ ${command} ${args.join(" ")}`);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.stdout.setEncoding("utf8").on("data", (data) => log(name, data));
  child.stderr.setEncoding("utf8").on("data", (data) => log(name, data));
  child.exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      log(name, `exited: code ${code} signal ${signal}`);
      resolve({ code, signal });
    });
    child.on("error", (error) => {
      children.delete(child);
      log(name, `failed to start: ${error.message}`);
      resolve({ code: null, signal: null, error });
    });
  });
  return child;
}

// SIGTERM, then SIGKILL after `graceMs`; returns the exit { code, signal }.
async function endProcess(child, graceMs = 3000) {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  try {
    return await withTimeout(child.exited, graceMs, "SIGTERM");
  } catch {
    child.kill("SIGKILL");
    const result = await withTimeout(child.exited, 5000, "SIGKILL");
    return { ...result, killed: true };
  }
}

export function run(command, args, ms = 10000) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: ms, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// A ringcastd with its own config, control socket and ports.
export class Daemon {
  constructor(t, binary, ctlBinary) {
    this.t = t;
    this.binary = binary;
    this.ctlBinary = ctlBinary;
  }

  // `udpPort`: a fixed webrtc.udp_port (a firewall rule names it) instead of a free one.
  // `host`: the address every listener binds and the one ICE candidate ("127.0.0.1", "::1"),
  // or "" for the wildcard (dual-stack) listeners, the candidates left to webrtc.advertise.
  async start(configLines = [], { udpPort, host = "127.0.0.1" } = {}) {
    const bracketed = host.includes(":") ? `[${host}]` : host;
    const reachable = host === "" ? "127.0.0.1" : bracketed;  // what the test itself dials
    this.dir = this.t.tempDir("ringcast-e2e-");
    this.socket = path.join(this.dir, "run", "ctl.sock");
    this.rtspPort = await freeTcpPort();
    this.httpPort = await freeTcpPort();
    this.udpPort = udpPort ?? await freeUdpPort();
    this.metricsPort = await freeTcpPort();
    this.conf = path.join(this.dir, "ringcast.conf");
    const confDir = path.join(this.dir, "conf.d");
    fs.mkdirSync(confDir);
    fs.writeFileSync(this.conf, [
      `ctl.socket = ${this.socket}`,
      `metrics.listen = 127.0.0.1:${this.metricsPort}`,
      `rtsp.listen = ${bracketed}:${this.rtspPort}`,
      "rtsp.rtp_port = 0",
      "rtsp.rtcp_port = 0",
      `webrtc.listen = ${bracketed}:${this.httpPort}`,
      `webrtc.udp_port = ${this.udpPort}`,
      ...(host === "" ? [] : [`webrtc.advertise = ${host}`]),
      ...configLines,
    ].join("\n") + "\n");
    this.proc = startProcess("ringcastd", this.binary,
                             ["--config", this.conf, "--config-dir", confDir]);
    this.t.defer("stop ringcastd", () => this.stop());
    const proc = this.proc;
    await waitFor(async () => {
      if (proc.exitCode !== null) {
        this.proc = null;  // nothing left for stop() to check: this error says it all
        throw new Error(`ringcastd exited ${proc.exitCode} at start (see its output in the log)`);
      }
      return fs.existsSync(this.socket) && (await this.ctl("-n", "core.workers")).code === 0;
    }, 10000, "ringcastd's control socket");
    this.httpBase = `http://${reachable}:${this.httpPort}`;
    this.rtspBase = `rtsp://${reachable}:${this.rtspPort}`;
    return this;
  }

  ctl(...args) {
    return run(this.ctlBinary, ["-S", this.socket, ...args]);
  }

  // A figure of the once-a-second snapshot as a string, or null while the snapshot does not
  // have it yet (ringcastctl: unknown key).
  async figure(name) {
    const result = await this.ctl("-n", name);
    return result.code === 0 ? result.stdout.trim() : null;
  }

  // A figure or setting's value as a string (throws when ringcastctl fails).
  async value(name) {
    const result = await this.ctl("-n", name);
    if (result.code !== 0) {
      throw new Error(`ringcastctl -n ${name} exited ${result.code}: ` +
                      `${JSON.stringify(result.stderr.trim())} (stdout ${JSON.stringify(result.stdout.trim())})`);
    }
    return result.stdout.trim();
  }

  // Changes a setting of the running daemon (throws when ringcastctl refuses it).
  async set(name, value) {
    const result = await this.ctl(`${name}=${value}`);
    if (result.code !== 0) throw new Error(`ringcastctl ${name}=${value}: ${result.stderr.trim()}`);
    log("test", `set ${name} = ${value}`);
  }

  // The process's open file descriptors and resident memory, from /proc. `httpKeepAlive`: how
  // many of the fds are established connections to the WHEP/player port, which a browser keeps
  // open between requests (up to 6, for 60 s of idling) — not leaked, but not ours to count.
  process() {
    const pid = this.proc.pid;
    const fdNames = fs.readdirSync(`/proc/${pid}/fd`);
    const sockets = new Set();
    for (const fd of fdNames) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) sockets.add(inode);
      } catch {}  // closed meanwhile
    }
    let httpKeepAlive = 0;
    for (const line of fs.readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const localPort = parseInt(fields[1].split(":")[1], 16);
      const established = fields[3] === "01";
      if (established && localPort === this.httpPort && sockets.has(fields[9])) httpKeepAlive++;
    }
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    return { fds: fdNames.length, httpKeepAlive, rssKb };
  }

  // SIGTERM; ringcastd must exit 0 within 20 s, without a sanitizer or CHECK report.
  async stop() {
    if (!this.proc) return;
    const proc = this.proc;
    this.proc = null;
    const result = await endProcess(proc, 20000);
    const output = logLines.filter((line) => line.includes("[ringcastd]")).join("\n");
    for (const marker of ["AddressSanitizer", "LeakSanitizer", "runtime error:", "CHECK failed"]) {
      if (output.includes(marker)) throw new Error(`${marker} in ringcastd's output`);
    }
    if (result.killed) throw new Error("ringcastd did not stop within 20 s of SIGTERM");
    if (result.code !== 0) {
      throw new Error(`ringcastd exited with code ${result.code} signal ${result.signal} after SIGTERM`);
    }
  }
}

// ffmpeg pushing a 640x360 30 fps H.264 test pattern over RTSP/TCP, one keyframe every 4 s
// (`audio`: plus a 440 Hz sine in Opus). Resolves once ringcastd has seen its first keyframe;
// `firstKeyframeAt` is that moment (Date.now()).
export async function startPublisher(t, daemon, name, { audio = false } = {}) {
  const args = ["-hide_banner", "-loglevel", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30"];
  if (audio) args.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");
  args.push("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "120",
            "-keyint_min", "120", "-sc_threshold", "0", "-profile:v", "baseline",
            "-pix_fmt", "yuv420p");
  if (audio) args.push("-c:a", "libopus", "-b:a", "48k");
  args.push("-f", "rtsp", "-rtsp_transport", "tcp", `${daemon.rtspBase}/${name}`);
  const proc = startProcess("ffmpeg", "ffmpeg", args);
  t.defer("stop ffmpeg", () => endProcess(proc));
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`ffmpeg exited ${proc.exitCode}`);
    const keyframes = await daemon.figure(`stats.path.${name}.keyframes`);
    return keyframes !== null && !["", "0"].includes(keyframes);
  }, 15000, `the first keyframe on path ${name}`, 20);
  return { proc, firstKeyframeAt: Date.now() };
}

// GStreamer's RTSP server as a camera (tests/data/rtsp/gst_camera.py: H.264 160x120 25 fps +
// Opus) with a keyframe every `keyInt` frames; returns its rtsp:// URL once it listens.
export async function startCamera(t, options = {}) {
  return (await startCameraProcess(t, options)).url;
}

// The same, on `port` if given (a camera coming back where it was), returning
// { url, port, child }: the test may kill the child itself (child.exited resolves then).
export async function startCameraProcess(t, { keyInt = 25, port: wantedPort = 0 } = {}) {
  const script = path.join(kRepo, "tests/data/rtsp/gst_camera.py");
  const args = [script, "--key-int", String(keyInt), "--port", String(wantedPort)];
  log("test", `$ /usr/bin/python3 ${args.join(" ")}`);
  // stdin stays open: the camera stops when it closes (when the test ends).
  const child = spawn("/usr/bin/python3", args, { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let port = null;
  let output = "";  // "PORT n" may arrive split over several reads
  child.stdout.setEncoding("utf8").on("data", (data) => {
    output += data;
    const match = /PORT (\d+)\n/.exec(output);
    if (match) port = Number(match[1]);
    log("camera", data);
  });
  child.stderr.setEncoding("utf8").on("data", (data) => log("camera", data));
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => {
    children.delete(child);
    log("camera", `exited: code ${code} signal ${signal}`);
    resolve({ code, signal });
  }));
  t.defer("stop the camera", () => endProcess(child));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the camera exited ${child.exitCode}`);
    return port;
  }, 10000, "the camera's port");
  return { url: `rtsp://127.0.0.1:${port}/cam`, port, child };
}

// Debian's chromium with a fresh profile; returns a page whose console is logged.
export async function openBrowser(t) {
  // playwright-core reports the browser's command line and output only to its debug log (the
  // `logger` option no longer gets them): turn that on and route it into the test log.
  process.env.DEBUG = [process.env.DEBUG, "pw:browser"].filter(Boolean).join(",");
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    const text = String(chunk);
    const at = text.indexOf(" pw:browser ");
    if (at < 0) return write(chunk, ...rest);
    const line = text.slice(at + " pw:browser ".length);
    if (!/dbus|ALSA lib/.test(line)) log("chromium", line);  // no bus or sound card: noise
    return true;
  };
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (error) {
    throw new Error(`cannot load playwright-core: ${error.message}`);
  }
  const profile = t.tempDir("ringcast-chromium-");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: kChromium,
    headless: false,  // --headless=new is in kChromiumArgs: playwright must not add its own
    args: kChromiumArgs,
    timeout: 30000,
  });
  t.defer("close chromium", () => withTimeout(context.close(), 10000, "closing chromium"));
  context.setDefaultTimeout(15000);
  const page = watchPage(context.pages()[0] ?? await context.newPage());
  return { context, page };
}

// Another page of openBrowser's `context`, its console and requests logged too.
export async function newPage(context) {
  return watchPage(await context.newPage());
}

function watchPage(page) {
  page.on("console", (message) => log("page", `${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => log("page", `uncaught: ${error.message}`));
  page.on("requestfailed", (request) => log("page", `request failed: ${request.method()} ` +
                                                    `${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => log("page", `${response.request().method()} ` +
                                                 `${response.url()} -> ${response.status()}`));
  return page;
}

// The player page's figures: one inbound-rtp entry of `kind` from window.ringcast.stats().
export async function inbound(page, kind) {
  return page.evaluate(async (kind) => {
    const all = await window.ringcast.stats();
    const entry = Object.values(all).find((s) => s.type === "inbound-rtp" && s.kind === kind);
    if (entry && all[entry.codecId]) entry.codec = all[entry.codecId].mimeType;
    return entry ?? null;
  }, kind);
}

// A browser on the player page of path `name`, once it has decoded its first video frame
// (within `ms`); the failure names `why` and the player's state. `context`: a new page of that
// browser (openBrowser's) instead of a browser of its own.
export async function openPlayer(t, daemon, name, { ms = 15000, why = "", context = null } = {}) {
  const page = context ? await newPage(context) : (await openBrowser(t)).page;
  await page.goto(`${daemon.httpBase}/${name}/`, { timeout: 10000 });
  try {
    await page.waitForFunction(() => window.ringcast?.timing?.video != null, null,
                               { timeout: ms, polling: 100 });
  } catch {
    throw new Error(`no video decoded within ${ms / 1000} s${why}; player ${await playerState(page)}`);
  }
  return page;
}

// The player's state for error messages.
export async function playerState(page) {
  try {
    return await page.evaluate(async () => {
      const { state, status, reconnects, sessionUrl } = window.ringcast;
      const all = await window.ringcast.stats();
      // What reached the browser, for a failure message: inbound RTP and the transport.
      const rtp = Object.values(all)
          .filter((s) => s.type === "inbound-rtp" || s.type === "transport")
          .map(({ type, kind, packetsReceived, packetsLost, framesDecoded, framesReceived,
                  keyFramesDecoded, nackCount, pliCount, bytesReceived, dtlsState,
                  srtpCipher, selectedCandidatePairChanges }) =>
            ({ type, kind, packetsReceived, packetsLost, framesDecoded, framesReceived,
               keyFramesDecoded, nackCount, pliCount, bytesReceived, dtlsState, srtpCipher,
               selectedCandidatePairChanges }));
      return JSON.stringify({ state, status, reconnects, sessionUrl, rtp });
    });
  } catch (error) {
    return `(page unreachable: ${error.message})`;
  }
}

export async function getJson(url) {
  const response = await withTimeout(fetch(url), 5000, `GET ${url}`);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
  log("test", `ok: ${message}`);
}

function skipUnlessPresent() {
  const missing = [];
  if (!fs.existsSync(kChromium)) missing.push(`${kChromium} (apt-get install chromium)`);
  if (!fs.existsSync(path.join(kHere, "node_modules", "playwright-core", "package.json"))) {
    missing.push(`${path.join(kHere, "node_modules")} (npm ci in tests/e2e)`);
  }
  if (missing.length) {
    console.log(`SKIP: missing ${missing.join(", ")}; tools/setup-deps.sh installs them`);
    process.exit(kSkip);
  }
}

// Runs `body(t)`; t.ringcastd / t.ringcastctl are the binaries, t.defer(what, fn) registers a
// clean-up step, t.tempDir(prefix) makes a dir removed at the end.
export async function runTest(name, body) {
  skipUnlessPresent();
  const cleanups = [];
  const t = {
    ringcastd: path.resolve(process.argv[2] || process.env.RINGCASTD || path.join(kRepo, "build/bin/ringcastd")),
    ringcastctl: path.resolve(process.argv[3] || process.env.RINGCASTCTL || path.join(kRepo, "build/bin/ringcastctl")),
    defer: (what, fn) => cleanups.push({ what, fn }),
    tempDir: (prefix) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      cleanups.push({ what: `remove ${dir}`, fn: () => fs.rmSync(dir, { recursive: true, force: true }) });
      return dir;
    },
  };
  const failures = [];
  const watchdog = setTimeout(() => {
    console.log(`FAIL ${name}: the test took over ${kTestTimeoutMs / 1000} s\n${logLines.join("\n")}`);
    process.exit(1);  // the exit handler SIGKILLs every child
  }, kTestTimeoutMs);
  log("test", `${name}: ringcastd ${t.ringcastd}`);
  try {
    await withTimeout(body(t), kTestTimeoutMs - 20000, "the test body");
  } catch (error) {
    failures.push(error);
  }
  for (const { what, fn } of cleanups.reverse()) {
    try {
      await withTimeout(Promise.resolve().then(fn), 25000, what);
    } catch (error) {
      failures.push(new Error(`${what}: ${error.message}`));
    }
  }
  clearTimeout(watchdog);
  if (failures.length) {
    console.log(`FAIL ${name}`);
    for (const error of failures) console.log(`  ${error.stack || error}`);
    console.log(`--- log ---\n${logLines.join("\n")}`);
    process.exit(1);
  }
  if (process.env.RINGCAST_E2E_LOG) console.log(`--- log ---\n${logLines.join("\n")}`);
  console.log(`PASS ${name}`);
  process.exit(0);
}

// --- The WHEP scenarios shared by the video and audio tests. ---

const kGopMs = 4000;         // the publisher's keyframe interval
const kJoinAfterMs = 1500;   // open the player this long after the first keyframe: it answers ~2 s in

// Opens /<name>/ 1.5 s into the publisher's first GOP and waits for the first `kind` media
// (video: framesDecoded > 0; audio: samples played that were not concealed). Asserts it came
// within 1 s of the WHEP answer, on the first attempt, with the player joining mid-GOP.
export async function playWhep(page, daemon, name, publisher, kind) {
  // kJoinAfterMs into the first GOP, or into the next one when the test has spent longer than
  // that since the first keyframe (e2e.ipv6 reads the path over RTSP first): the GOP is fixed.
  const sinceFirstKeyframe = Date.now() - publisher.firstKeyframeAt;
  await sleep((((kJoinAfterMs - sinceFirstKeyframe) % kGopMs) + kGopMs) % kGopMs);
  const url = `${daemon.httpBase}/${name}/`;
  log("test", `opening ${url}`);
  await page.goto(url, { timeout: 10000 });
  try {
    await page.waitForFunction((kind) => window.ringcast?.timing?.[kind] != null, kind,
                               { timeout: 10000, polling: 50 });
  } catch (error) {
    throw new Error(`no ${kind} played within 10 s; player ${await playerState(page)}`);
  }
  const timing = await page.evaluate(() => ({
    ...window.ringcast.timing, origin: performance.timeOrigin, reconnects: window.ringcast.reconnects,
  }));
  const intoGop = (timing.origin + timing.answer - publisher.firstKeyframeAt) % kGopMs;
  log("test", `answer ${intoGop.toFixed(0)} ms into a GOP; first ${kind} ` +
              `${(timing[kind] - timing.answer).toFixed(0)} ms after the answer`);
  assert(timing.reconnects === 0, `the player connected at its first attempt (reconnects ${timing.reconnects})`);
  assert(intoGop > 1000 && intoGop < kGopMs - 500,
         `the player joined mid-GOP (${intoGop.toFixed(0)} ms after a keyframe)`);
  assert(timing[kind] - timing.answer < 1000,
         `first ${kind} within 1 s of the answer (${(timing[kind] - timing.answer).toFixed(0)} ms)`);
}

// 5 s on, the jitter buffer's delay over the last second (delta jitterBufferDelay / delta
// jitterBufferEmittedCount) is under 250 ms, and media still flows at the source's rate.
export async function assertLowLatency(page, kind, codec) {
  await sleep(5000);
  const before = await inbound(page, kind);
  await sleep(1000);
  const after = await inbound(page, kind);
  assert(before && after, `an inbound-rtp ${kind} entry in getStats()`);
  assert(after.codec?.toLowerCase() === codec.toLowerCase(), `${kind} codec ${after.codec} is ${codec}`);
  const emitted = after.jitterBufferEmittedCount - before.jitterBufferEmittedCount;
  const delayMs = (after.jitterBufferDelay - before.jitterBufferDelay) / emitted * 1000;
  log("test", `${kind} over the last second: emitted ${emitted}, jitter buffer ${delayMs.toFixed(1)} ms, ` +
              `packetsLost ${after.packetsLost}, nackCount ${after.nackCount ?? "-"}`);
  assert(emitted > 0, `${kind} left the jitter buffer in the last second (${emitted})`);
  assert(delayMs < 250, `${kind} jitter-buffer delay over the last second under 250 ms (${delayMs.toFixed(1)} ms)`);
  if (kind === "video") {
    const frames = after.framesDecoded - before.framesDecoded;
    assert(frames >= 20, `video decodes at about the source's 30 fps (${frames} frames in 1 s)`);
  }
}

// The page's stop() DELETEs its WHEP session; ringcastd's stats.webrtc.sessions and the path's
// webrtc_sessions in /api/paths go from 1 to 0.
export async function assertDeleteEndsSession(page, daemon, name) {
  const sessionsOf = async () =>
    (await getJson(`${daemon.httpBase}/api/paths`)).paths.find((p) => p.name === name)?.webrtc_sessions;
  assert(await daemon.value("stats.webrtc.sessions") === "1", "stats.webrtc.sessions is 1 while playing");
  assert(await sessionsOf() === 1, `/api/paths shows webrtc_sessions 1 for ${name} while playing`);
  const sessionUrl = await page.evaluate(() => window.ringcast.sessionUrl);
  const status = await page.evaluate(async () => {
    await window.ringcast.stop();
    return window.ringcast.deleteStatus;
  });
  assert(status >= 200 && status < 300, `DELETE ${sessionUrl} answered ${status}`);
  await waitFor(async () => await daemon.value("stats.webrtc.sessions") === "0", 5000,
                "stats.webrtc.sessions to drop to 0 after DELETE");
  assert(true, "stats.webrtc.sessions is 0 after DELETE");
  assert(await sessionsOf() === 0, `/api/paths shows webrtc_sessions 0 for ${name} after DELETE`);
}

// --- WHIP: a browser publishing (RFC 9725) from a page on the daemon's own origin. ---

// The page-side WHIP client, installed as window.ringcastWhip by page.evaluate (so it is one
// self-contained function). Sessions are kept by an id the node side chooses; each has its own
// getUserMedia stream (Chromium's fake camera and microphone, see kChromiumArgs) and peer
// connection with one sendonly transceiver per track.
function installWhipClient() {
  if (window.ringcastWhip) return;
  const kGatherMs = 1000;  // ICE-lite server: the browser's candidates are a courtesy, not needed
  const sessions = new Map();

  function close(session) {
    session.pc.close();
    for (const track of session.stream.getTracks()) track.stop();
  }

  // One outbound-rtp entry per kind and the selected candidate pair, flattened for the node side.
  async function summary(pc) {
    const report = await pc.getStats();
    const out = { at: performance.timeOrigin + performance.now(), connectionState: pc.connectionState };
    let pairId = null;
    report.forEach((s) => { if (s.type === "transport") pairId = s.selectedCandidatePairId; });
    report.forEach((s) => {
      if (s.type === "outbound-rtp" && !out[s.kind]) {
        out[s.kind] = {
          timestamp: s.timestamp, ssrc: s.ssrc, rtxSsrc: s.rtxSsrc ?? null,
          codec: report.get(s.codecId)?.mimeType ?? null,
          bytesSent: s.bytesSent, packetsSent: s.packetsSent,
          retransmittedPacketsSent: s.retransmittedPacketsSent ?? 0, nackCount: s.nackCount ?? 0,
          pliCount: s.pliCount ?? 0, firCount: s.firCount ?? 0,
          framesEncoded: s.framesEncoded, keyFramesEncoded: s.keyFramesEncoded,
          frameWidth: s.frameWidth, frameHeight: s.frameHeight, framesPerSecond: s.framesPerSecond,
          targetBitrate: s.targetBitrate, encoderImplementation: s.encoderImplementation,
          qualityLimitationReason: s.qualityLimitationReason,
        };
      }
      if (s.type === "candidate-pair" && s.id === pairId) {
        out.pair = { availableOutgoingBitrate: s.availableOutgoingBitrate ?? null,
                     currentRoundTripTime: s.currentRoundTripTime ?? null,
                     local: report.get(s.localCandidateId)?.address ?? null,
                     remote: report.get(s.remoteCandidateId)?.address ?? null };
      }
    });
    return out;
  }

  window.ringcastWhip = {
    // A fresh offer (its SDP); the peer connection is kept under `id` for post() or discard().
    async offer(id, { video, audio, width, height, fps }) {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: video ? { width: { exact: width }, height: { exact: height }, frameRate: fps } : false,
        audio,
      });
      const pc = new RTCPeerConnection();
      const session = { pc, stream, location: null };
      sessions.set(id, session);
      for (const track of stream.getTracks()) {
        const { sender } = pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
        if (track.kind === "video") {
          // Keep the camera's size while the bandwidth estimate ramps up (the default for a
          // camera is to scale down first), so the path's size is the one asked for.
          const parameters = sender.getParameters();
          parameters.degradationPreference = "maintain-resolution";
          await sender.setParameters(parameters).catch((error) =>
            console.warn(`whip: degradationPreference: ${error.message}`));
        }
      }
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        const timer = setTimeout(resolve, kGatherMs);
        pc.addEventListener("icegatheringstatechange", () => {
          if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
        });
      });
      return pc.localDescription.sdp;
    },

    // Closes an offer's peer connection and camera without a request.
    discard(id) {
      const session = sessions.get(id);
      sessions.delete(id);
      if (session) close(session);
    },

    // POSTs the offer of `id` to `url` from the page: { status, location (absolute),
    // wwwAuthenticate, body }. A 201's peer connection is kept for connect(); any other's is
    // closed.
    async post(id, url, auth) {
      const session = sessions.get(id);
      try {
        const headers = { "Content-Type": "application/sdp" };
        if (auth) headers.Authorization = auth;
        const response = await fetch(url, { method: "POST", headers, body: session.pc.localDescription.sdp });
        const location = response.headers.get("Location");
        const result = {
          status: response.status,
          location: location ? new URL(location, url).href : null,
          wwwAuthenticate: response.headers.get("WWW-Authenticate"),
          body: await response.text(),
        };
        if (result.status === 201) {
          session.location = result.location;
          session.answer = result.body;
        } else {
          window.ringcastWhip.discard(id);
        }
        return result;
      } catch (error) {
        window.ringcastWhip.discard(id);
        throw error;
      }
    },

    // Applies the answer and waits up to `ms` for connectionState "connected".
    async connect(id, ms) {
      const { pc, answer } = sessions.get(id);
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
      const deadline = performance.now() + ms;
      while (pc.connectionState !== "connected" && performance.now() < deadline &&
             pc.connectionState !== "failed" && pc.connectionState !== "closed") {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState,
               iceGatheringState: pc.iceGatheringState, signalingState: pc.signalingState };
    },

    stats: async (id) => summary(sessions.get(id).pc),

    // DELETE on the session's Location (its status, or 0 when the request failed), then the peer
    // connection and the camera are closed.
    async stop(id) {
      const session = sessions.get(id);
      if (!session) return null;
      sessions.delete(id);
      let status = null;
      if (session.location) {
        try {
          status = (await fetch(session.location, { method: "DELETE" })).status;
        } catch (error) {
          console.warn(`whip: DELETE ${session.location}: ${error.message}`);
          status = 0;
        }
      }
      close(session);
      return status;
    },
  };
}

// The Authorization header values WHIP accepts: HTTP Basic and a bearer token.
export function basicAuth(user, pass) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

export function bearerAuth(token) {
  return `Bearer ${token}`;
}

// What an SDP negotiates per media kind: the first payload type's codec ("H264/90000"), its
// fmtp line, its rtcp-fb values, whether an rtx payload type repairs it, and the header
// extensions (URIs).
export function sdpMedia(sdp) {
  const out = {};
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    const lines = section.split(/\r?\n/);
    const [kind, , , pt] = lines[0].slice(2).split(" ");
    const attr = (prefix) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
    const rtx = attr("a=fmtp:").some((l) => new RegExp(`^\\d+ apt=${pt}$`).test(l));
    out[kind] = {
      pt: Number(pt),
      codec: attr(`a=rtpmap:${pt} `)[0] ?? null,
      fmtp: attr(`a=fmtp:${pt} `)[0] ?? "",
      feedback: attr(`a=rtcp-fb:${pt} `).concat(attr("a=rtcp-fb:* ")),
      rtx,
      extensions: attr("a=extmap:").map((l) => l.split(" ")[1]),
      direction: lines.find((l) => /^a=(sendonly|recvonly|sendrecv|inactive)$/.test(l))?.slice(2) ?? null,
    };
  }
  return out;
}

// Whether an sdpMedia() entry negotiates transport-wide congestion control: rtcp-fb transport-cc
// and the transport-wide sequence number header extension (its URI names the draft,
// draft-holmer-rmcat-transport-wide-cc-extensions-01).
export function hasTransportCc(media) {
  return media.feedback.includes("transport-cc") &&
         media.extensions.some((uri) => uri.endsWith("/draft-holmer-rmcat-transport-wide-cc-extensions-01"));
}

const kWhipMedia = { video: true, audio: true, width: 640, height: 480, fps: 30 };
let whipIds = 0;

// A fresh offer from `page` under a new id: { id, offer (SDP), media (the options in full) }.
async function whipOffer(page, options) {
  await page.evaluate(installWhipClient);
  const id = `whip-${++whipIds}`;
  const media = { ...kWhipMedia, ...options };
  const offer = await withTimeout(
    page.evaluate(({ id, media }) => window.ringcastWhip.offer(id, media), { id, media }),
    10000, "the WHIP offer");
  return { id, offer, media };
}

function logWhipPost(url, media, auth, result, from) {
  log("test", `WHIP POST ${url} from ${from} (${[media.video && "video", media.audio && "audio"].filter(Boolean).join("+")}` +
              `${auth ? `, ${auth.split(" ")[0]} auth` : ", no auth"}) -> ${result.status}` +
              `${result.location ? ` Location ${result.location}` : ""}` +
              `${result.wwwAuthenticate ? ` WWW-Authenticate ${JSON.stringify(result.wwwAuthenticate)}` : ""}` +
              `${result.status === 201 ? "" : ` ${JSON.stringify(result.body.trim().slice(0, 200))}`}`);
}

// A WHIP POST that is expected to be refused: a real offer from `page` (so that only what the
// test varies — credentials, the path — can be the reason), sent from node's fetch, not the
// page's: Chromium answers a 401 with a Basic challenge by waiting for a login prompt that a
// headless browser never shows, so the page's fetch would not resolve. Resolves to { status,
// location, wwwAuthenticate, body }; the page's peer connection is closed. If it was accepted
// after all, the session is ended again with a DELETE. `options`: auth (an Authorization header
// value) and the media (video, audio, ...).
export async function whipPost(page, url, { auth = null, ...options } = {}) {
  const { id, offer, media } = await whipOffer(page, options);
  try {
    const headers = { "Content-Type": "application/sdp" };
    if (auth) headers.Authorization = auth;
    const response = await fetch(url, { method: "POST", headers, body: offer,
                                        signal: AbortSignal.timeout(10000) });
    const location = response.headers.get("Location");
    const result = {
      status: response.status,
      location: location ? new URL(location, url).href : null,
      wwwAuthenticate: response.headers.get("WWW-Authenticate"),
      body: await response.text(),
    };
    logWhipPost(url, media, auth, result, "node");
    if (result.status === 201 && result.location) {
      const deleted = await fetch(result.location, { method: "DELETE", signal: AbortSignal.timeout(5000) });
      log("test", `DELETE ${result.location} (an unexpected session) -> ${deleted.status}`);
    }
    return result;
  } finally {
    await page.evaluate((id) => window.ringcastWhip.discard(id), id);
  }
}

// Publishes to path `name` over WHIP from `page`, which must be on the daemon's origin (e.g.
// `${daemon.httpBase}/`: getUserMedia needs a secure context, which http://127.0.0.1 and
// http://[::1] are, and the Location header is read same-origin). `options`: auth (an
// Authorization header value), video, audio, width, height, fps, url (default
// ${daemon.httpBase}/NAME/whip), connectMs. Resolves once the peer connection is connected, to
// { location, answer (SDP), media (sdpMedia of the answer), connectedAt (Date.now()), stats(),
// stop() }: stats() resolves to the page's { at, connectionState, video, audio, pair } (see
// installWhipClient's summary), stop() DELETEs the session and closes the peer connection,
// resolving to the DELETE's status. A test's end stops what is still publishing.
export async function publishWhip(t, page, daemon, name, options = {}) {
  const { url = `${daemon.httpBase}/${name}/whip`, connectMs = 10000, auth = null, ...rest } = options;
  const { id, offer, media } = await whipOffer(page, rest);
  const started = Date.now();
  const result = await withTimeout(
    page.evaluate(({ id, url, auth }) => window.ringcastWhip.post(id, url, auth), { id, url, auth }),
    10000, `POST ${url}`);
  logWhipPost(url, media, auth, result, "the page");
  if (result.status !== 201) {
    throw new Error(`WHIP POST ${url} answered ${result.status} ` +
                    `${JSON.stringify(result.body.trim().slice(0, 300))}, not 201`);
  }
  let stopped = false;
  const handle = {
    id,
    location: result.location,
    offer,
    answer: result.body,
    media: sdpMedia(result.body),
    connectedAt: null,
    stats: () => page.evaluate((id) => window.ringcastWhip.stats(id), id),
    stop: async () => {
      if (stopped) return null;
      stopped = true;
      const status = await withTimeout(page.evaluate((id) => window.ringcastWhip.stop(id), id),
                                       10000, `DELETE ${result.location}`);
      log("test", `WHIP DELETE ${result.location} -> ${status}`);
      return status;
    },
  };
  t.defer(`stop WHIP publisher ${id}`, async () => {
    if (stopped) return;
    try {
      await handle.stop();
    } catch (error) {
      log("test", `stopping WHIP publisher ${id}: ${error.message}`);  // the page may be gone
    }
  });
  const { video, audio } = handle.media;
  log("test", `WHIP answer: ${[video && `video ${video.codec} ${video.fmtp} fb [${video.feedback.join(", ")}]` +
                                        `${video.rtx ? " +rtx" : ""}`,
                               audio && `audio ${audio.codec}`].filter(Boolean).join("; ")}`);
  if (!result.location) throw new Error(`WHIP POST ${url}: 201 without a Location header`);
  const state = await withTimeout(
    page.evaluate(({ id, ms }) => window.ringcastWhip.connect(id, ms), { id, ms: connectMs }),
    connectMs + 5000, "the WHIP peer connection");
  if (state.connectionState !== "connected") {
    throw new Error(`the WHIP publisher did not connect within ${connectMs / 1000} s: ${JSON.stringify(state)}`);
  }
  handle.connectedAt = Date.now();
  log("test", `WHIP publisher ${id} connected ${handle.connectedAt - started} ms after its POST`);
  return handle;
}

// Kilobits per second of a WHIP publisher between two stats() results: the video's bytesSent
// (payload and retransmissions, no headers or padding), and the bandwidth estimate of the later
// one (availableOutgoingBitrate) and the video encoder's target.
export function whipRates(before, after) {
  const a = before.video;
  const b = after.video;
  return {
    sentKbps: (b.bytesSent - a.bytesSent) * 8 / (b.timestamp - a.timestamp),
    availableKbps: (after.pair?.availableOutgoingBitrate ?? NaN) / 1000,
    targetKbps: (b.targetBitrate ?? NaN) / 1000,
    fps: (b.framesEncoded - a.framesEncoded) * 1000 / (b.timestamp - a.timestamp),
    size: `${b.frameWidth}x${b.frameHeight}`,
  };
}

// Samples a WHIP publisher once a second until `ms` after it connected, logging each second's
// rates; resolves to the list of whipRates (the last is the second before `ms`).
export async function whipRamp(publisher, ms, label) {
  const samples = [];
  let previous = await publisher.stats();
  for (let second = 1; Date.now() < publisher.connectedAt + ms && second <= ms / 1000 + 2; second++) {
    await sleep(Math.max(0, Math.min(1000, publisher.connectedAt + ms - Date.now())));
    const now = await publisher.stats();
    const rates = whipRates(previous, now);
    rates.at = (now.at - publisher.connectedAt) / 1000;
    samples.push(rates);
    log("test", `${label} ${rates.at.toFixed(1)} s: sent ${rates.sentKbps.toFixed(0)} kbit/s, ` +
                `estimate ${rates.availableKbps.toFixed(0)}, target ${rates.targetKbps.toFixed(0)}, ` +
                `${rates.fps.toFixed(1)} fps ${rates.size} (${now.video.qualityLimitationReason})`);
    previous = now;
  }
  return samples;
}

// --- A lossy network: the test re-runs itself in a network namespace that drops packets. ---

const kNetnsEnv = "RINGCAST_E2E_NETNS";
const kLossTable = "ringcast_loss";
const kNetnsRunMs = 130000;  // the re-run test, under CTest's 150 s

// Called first by a test that needs loss. Outside the namespace it creates one (`ip netns add`,
// loopback up), adds an nftables table that drops `perMille`/1000 of the UDP datagrams of the
// daemon's port `udpPort` as they are received — `direction` "from" (the default): those whose
// source port it is (the daemon's media to a viewer); "to": those whose destination port it is
// (a publisher's media, and every viewer's RTCP and STUN, to the daemon) — re-runs this script in
// it with `ip netns exec`, deletes the namespace (killing what is left in it) and exits with the
// re-run's code; it never returns. Exits 77 when `ip netns` or nft cannot be used. This kernel
// has no netem, hence nftables' `numgen random`. The rule is on the input hook, not output: a
// drop on output fails the sender's sendmsg with EPERM, which a lossy link never does. Inside
// (the second run) it returns { netns, counters(), setLoss(perMille, { match }) }: counters()
// resolves to the rule's { sent, dropped } datagram counts (they keep counting across setLoss),
// setLoss() replaces the drop rule; `match` narrows both the counting and the dropping to the
// datagrams that also match that nft expression (e.g. raw payload matches on the RTP header,
// `@th,128,32 0x1234abcd` for one SSRC).
export async function reenterInLossyNetns({ udpPort, perMille, direction = "from" }) {
  const netns = process.env[kNetnsEnv];
  const portKey = { from: "sport", to: "dport" }[direction];
  if (!portKey) throw new Error(`reenterInLossyNetns: direction ${direction} is neither "from" nor "to"`);
  const portMatch = `udp ${portKey} ${udpPort}`;
  const fromTo = direction === "to" ? `to port ${udpPort}` : `from port ${udpPort}`;
  if (netns) {
    const setLoss = async (newPerMille, { match = "" } = {}) => {
      const result = await runNft([`flush chain inet ${kLossTable} input`,
                                   ...lossRules(portMatch, newPerMille, match)]);
      if (result.code !== 0) throw new Error(`nft: setting ${newPerMille / 10}% loss: ${result.stderr.trim()}`);
      log("test", `the rule now drops ${newPerMille / 10}% of UDP ${fromTo}${match ? ` matching ${match}` : ""}`);
    };
    return { netns, counters: lossCounters, setLoss };
  }
  const name = `ringcast-loss-${process.pid}`;
  const skip = (why) => {
    console.log(`SKIP: ${why}`);
    process.exit(kSkip);
  };
  for (const [tool, args] of [["ip", ["netns", "list"]], ["nft", ["--version"]]]) {
    const result = await run(tool, args);
    if (result.code !== 0) skip(`\`${tool} ${args.join(" ")}\` failed: ${(result.stderr || "not installed").trim()}`);
  }
  const added = await run("ip", ["netns", "add", name]);
  if (added.code !== 0) skip(`\`ip netns add\` failed (needs root): ${added.stderr.trim()}`);
  let code = 1;
  let child = null;
  const remove = async () => {
    // Whatever the re-run left behind (it died before its clean-up) goes with the namespace.
    const pids = (await run("ip", ["netns", "pids", name])).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try { process.kill(Number(pid), "SIGKILL"); } catch {}
    }
    const deleted = await run("ip", ["netns", "del", name]);
    if (deleted.code !== 0) console.log(`could not delete netns ${name}: ${deleted.stderr.trim()}`);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, async () => {
      child?.kill("SIGKILL");
      await remove();
      process.exit(1);
    });
  }
  try {
    const up = await run("ip", ["-n", name, "link", "set", "lo", "up"]);
    if (up.code !== 0) throw new Error(`ip -n ${name} link set lo up: ${up.stderr.trim()}`);
    const table = await runNft([
      `add table inet ${kLossTable}`,
      `add counter inet ${kLossTable} sent`,
      `add counter inet ${kLossTable} dropped`,
      `add chain inet ${kLossTable} input { type filter hook input priority 0; policy accept; }`,
      ...lossRules(portMatch, perMille),
    ], name);
    if (table.code !== 0) throw new Error(`nft in netns ${name}: ${table.stderr.trim()}`);
    console.log(`netns ${name}: dropping ${perMille / 10}% of UDP ${fromTo}`);
    child = spawn("ip", ["netns", "exec", name, process.execPath, ...process.argv.slice(1)],
                  { stdio: "inherit", env: { ...process.env, [kNetnsEnv]: name } });
    const exited = new Promise((resolve) => {
      child.on("exit", (exitCode, signal) => resolve(exitCode ?? `signal ${signal}`));
      child.on("error", (error) => resolve(`failed to start: ${error.message}`));
    });
    try {
      code = await withTimeout(exited, kNetnsRunMs, "the test in the network namespace");
    } catch (error) {
      child.kill("SIGKILL");
      console.log(`FAIL: ${error.message}`);
    }
    if (typeof code !== "number") {
      console.log(`FAIL: the test in netns ${name} ended with ${code}`);
      code = 1;
    }
  } catch (error) {
    console.log(`FAIL: setting up netns ${name}: ${error.message}`);
    code = 1;
  } finally {
    await remove();
  }
  process.exit(code);
}

// Runs the nft commands `lines` as one script (`nft -f`: all or nothing), in network namespace
// `netns` if given; resolves to run()'s result.
async function runNft(lines, netns = null) {
  const scriptFile = path.join(os.tmpdir(), `ringcast-nft-${process.pid}-${Date.now()}.nft`);
  fs.writeFileSync(scriptFile, lines.join("\n") + "\n");
  try {
    return netns ? await run("ip", ["netns", "exec", netns, "nft", "-f", scriptFile])
                 : await run("nft", ["-f", scriptFile]);
  } finally {
    fs.rmSync(scriptFile, { force: true });
  }
}

// `portMatch`: "udp sport N" or "udp dport N"; `match`: more of the same, or "".
function lossRules(portMatch, perMille, match = "") {
  const matches = match ? `${portMatch} ${match}` : portMatch;
  return [
    `add rule inet ${kLossTable} input ${matches} counter name sent`,
    `add rule inet ${kLossTable} input ${matches} numgen random mod 1000 < ${perMille} ` +
      "counter name dropped drop",
  ];
}

async function lossCounters() {
  const result = await run("nft", ["-j", "list", "counters", "table", "inet", kLossTable]);
  if (result.code !== 0) throw new Error(`nft list counters: ${result.stderr.trim()}`);
  const out = {};
  for (const item of JSON.parse(result.stdout).nftables) {
    if (item.counter) out[item.counter.name] = item.counter.packets;
  }
  return out;
}
