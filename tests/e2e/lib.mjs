// Browser test harness: a real ringcastd, an ffmpeg RTSP publisher and Debian's chromium driven
// by playwright-core, each on free ports and in its own temp dir, all killed at the end.
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
  const page = context.pages()[0] ?? await context.newPage();
  page.on("console", (message) => log("page", `${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => log("page", `uncaught: ${error.message}`));
  page.on("requestfailed", (request) => log("page", `request failed: ${request.method()} ` +
                                                    `${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => log("page", `${response.request().method()} ` +
                                                 `${response.url()} -> ${response.status()}`));
  return { context, page };
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
// (within `ms`); the failure names `why` and the player's state.
export async function openPlayer(t, daemon, name, { ms = 15000, why = "" } = {}) {
  const { page } = await openBrowser(t);
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
  await sleep(Math.max(0, publisher.firstKeyframeAt + kJoinAfterMs - Date.now()));
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

// --- A lossy network: the test re-runs itself in a network namespace that drops packets. ---

const kNetnsEnv = "RINGCAST_E2E_NETNS";
const kLossTable = "ringcast_loss";
const kNetnsRunMs = 130000;  // the re-run test, under CTest's 150 s

// Called first by a test that needs loss. Outside the namespace it creates one (`ip netns add`,
// loopback up), adds an nftables table that drops `perMille`/1000 of the UDP datagrams whose
// source port is `udpPort` (the daemon's, to the viewer) as they are received, re-runs this script in it with `ip netns exec`, deletes
// the namespace (killing what is left in it) and exits with the re-run's code; it never returns.
// Exits 77 when `ip netns` or nft cannot be used. This kernel has no netem, hence nftables'
// `numgen random`. The rule is on the input hook, not output: a drop on output fails the
// sender's sendmsg with EPERM, which a lossy link never does. Inside (the second run) it returns
// { netns, counters(), setLoss(perMille) }: counters() resolves to the rule's { sent, dropped }
// datagram counts (they keep counting across setLoss), setLoss() replaces the drop rule.
export async function reenterInLossyNetns({ udpPort, perMille }) {
  const netns = process.env[kNetnsEnv];
  if (netns) {
    const setLoss = async (newPerMille) => {
      const result = await runNft([`flush chain inet ${kLossTable} input`,
                                   ...lossRules(udpPort, newPerMille)]);
      if (result.code !== 0) throw new Error(`nft: setting ${newPerMille / 10}% loss: ${result.stderr.trim()}`);
      log("test", `the rule now drops ${newPerMille / 10}% of UDP from port ${udpPort}`);
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
      ...lossRules(udpPort, perMille),
    ], name);
    if (table.code !== 0) throw new Error(`nft in netns ${name}: ${table.stderr.trim()}`);
    console.log(`netns ${name}: dropping ${perMille / 10}% of UDP from port ${udpPort}`);
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

function lossRules(udpPort, perMille) {
  return [
    `add rule inet ${kLossTable} input udp sport ${udpPort} counter name sent`,
    `add rule inet ${kLossTable} input udp sport ${udpPort} numgen random mod 1000 < ${perMille} ` +
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
