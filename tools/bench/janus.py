"""Janus, the peer of the comparison: its configuration, generated into a temporary directory.

Only what the comparison needs is loaded: the streaming plugin (one RTP mountpoint per stream,
H.264 on port base + 2*i, which is where `ringcast-loadgen --rtp-publish HOST:BASE` sends stream
i) and the plain HTTP transport. Janus never offers loopback ICE candidates, so it runs inside the
benchmark's network namespace with ice_enforce_list naming the veth. Janus stays a full ICE agent
(its default, and what ringcast-loadgen's Janus viewers expect: they are the controlled side).
"""

import os

JANUS_LIB = "/usr/lib/x86_64-linux-gnu/janus"


def _others(folder, keep):
    """The .so files of a Janus module folder, except `keep`, as a disable list."""
    path = os.path.join(JANUS_LIB, folder)
    try:
        names = sorted(n for n in os.listdir(path) if n.endswith(".so") and n not in keep)
    except FileNotFoundError:
        names = []
    return ",".join(names)


def write_config(directory, *, http_port, veth, streams, rtp_base, rtp_port_range):
    """Writes janus.jcfg and the two module configs into `directory`; returns janus.jcfg."""
    os.makedirs(directory, exist_ok=True)
    main = f"""general: {{
	configs_folder = "{directory}"
	plugins_folder = "{JANUS_LIB}/plugins"
	transports_folder = "{JANUS_LIB}/transports"
	events_folder = "{JANUS_LIB}/events"
	loggers_folder = "{JANUS_LIB}/loggers"
	debug_level = 3
	admin_secret = "ringcast-bench"
}}
certificates: {{
}}
media: {{
	rtp_port_range = "{rtp_port_range}"
}}
nat: {{
	ice_enforce_list = "{veth}"
	ignore_mdns = true
}}
plugins: {{
	disable = "{_others("plugins", {"libjanus_streaming.so"})}"
}}
transports: {{
	disable = "{_others("transports", {"libjanus_http.so"})}"
}}
loggers: {{
	disable = "{_others("loggers", set())}"
}}
events: {{
	broadcast = false
	disable = "{_others("events", set())}"
}}
"""
    http = f"""general: {{
	json = "plain"
	base_path = "/janus"
	http = true
	port = {http_port}
	https = false
}}
admin: {{
	admin_http = false
	admin_https = false
}}
cors: {{
}}
"""
    mountpoints = ["general: {\n}\n"]
    for i in range(streams):
        mountpoints.append(f"""bench{i}: {{
	type = "rtp"
	id = {i + 1}
	description = "bench{i}"
	media = (
		{{
			type = "video"
			mid = "v"
			port = {rtp_base + 2 * i}
			pt = 96
			codec = "h264"
			fmtp = "profile-level-id=42e01f;packetization-mode=1"
		}}
	)
}}
""")
    files = {
        "janus.jcfg": main,
        "janus.transport.http.jcfg": http,
        "janus.plugin.streaming.jcfg": "".join(mountpoints),
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    return os.path.join(directory, "janus.jcfg")
