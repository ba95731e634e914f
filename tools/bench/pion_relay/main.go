// Command pion_relay is the benchmark's stand-in for MediaMTX's WebRTC engine: a small relay
// that takes plain RTP/UDP streams (as ringcast-loadgen --rtp-publish sends them to Janus) and
// serves each one to WHEP viewers through pion/webrtc v3 (Debian's package), with pion set up
// the way MediaMTX sets it up for its WebRTC readers. It is our own code; what follows says
// which of MediaMTX's choices it copies, and from where (bluenviron/mediamtx, read at v1.20.1):
//
//   - internal/protocols/webrtc/peer_connection.go, PeerConnection.Start: a new SettingEngine,
//     MediaEngine and interceptor registry for every peer connection; loopback candidates
//     allowed (SetIncludeLoopbackCandidate); the server's one ICE UDP port shared by every peer
//     connection (SetICEUDPMux); mDNS off (SetICEMulticastDNSMode(MulticastDNSModeDisabled)).
//     MediaMTX now turns mDNS off; its earlier releases left pion's default, query-only, which
//     -mdns brings back (every peer connection then opens its own mDNS socket and goroutine).
//     One codec is registered per outbound track, payload type 96 + i, and as the stream has
//     no audio a PCMU track is added too ("a track has to be present anyway").
//   - peer_connection.go, registerInterceptors: webrtc.ConfigureNack (NACK responder, which keeps
//     a copy of every packet sent, and NACK generator; "nack" and "nack pli" feedback) and
//     webrtc.ConfigureTWCCSender (the transport-cc header extension and feedback, the TWCC
//     report sender). RTCP reports: earlier MediaMTX releases used
//     webrtc.RegisterDefaultInterceptors, whose report interceptors send sender and receiver
//     reports every second; current ones skip them and send a sender report per track every
//     second from their own RTP sender (gortsplib's rtpsender). We use pion's report interceptors, the v3 way to the
//     same reports, with the period set by -sr-interval.
//   - outbound_track.go: one TrackLocalStaticRTP per reader (id "video", stream id "mediamtx"),
//     added with AddTrack before the offer is applied, and one goroutine per RTPSender that
//     reads and parses the viewer's RTCP ("incoming RTCP packets must always be read to make
//     interceptors work": the NACK responder sees NACKs only through that read).
//   - internal/servers/webrtc/server.go: the shared UDP socket and ice.NewUDPMuxDefault.
//   - internal/servers/webrtc/session.go, runRead: 404 while the path has no stream; the answer
//     is sent once candidate gathering is complete (no trickle); the reader is attached to the
//     stream only when the peer connection is connected (no fast start: a viewer's first
//     keyframe is the source's next IDR); the session ends when the connection fails or is
//     closed, or after a 10 s handshake timeout.
//   - internal/stream/reader.go: every reader has a queue of 512 entries (writeQueueSize) and a
//     goroutine; the stream pushes one entry per access unit and discards it when the queue is
//     full.
//   - internal/protocols/webrtc/from_stream.go: the H.264 track's capability
//     (profile-level-id=42e01f, packetization-mode=1, level-asymmetry-allowed=1). MediaMTX
//     re-packetizes every access unit for every reader (an rtph264.Encoder per reader, 1188-byte
//     payloads); -repacketize does that with pion's H264Payloader; by default the received RTP
//     packets are written as they are.
//
// Not mirrored:
//   - pion v4 → v3: v4's ConfigureSimulcastExtensionHeaders does not exist in v3 (our viewers
//     offer no simulcast, so it would change nothing on the wire). v4 answers an offer's
//     a=setup:active with passive; v3 answers active whatever the offer says, so we set the
//     answering DTLS role from the offer as v4 does (answeringRole). In v4 a DTLS close_notify
//     closes the peer connection at once; v3 ignores it, so a viewer that leaves without a
//     DELETE is dropped only when ICE fails (pion's defaults: disconnected after 5 s without
//     an answer to its checks, failed 25 s later).
//   - MediaMTX's ICE TCP mux, STUN/TURN servers, additional hosts and its filter of host
//     candidates by interface (we bind the mux to -ip, so that is the only candidate), its UDP
//     read buffer setting, its stats interceptor, authentication, hooks, the API, and every
//     protocol but WHEP reading. Media comes in as plain RTP/UDP and is parsed with pion/rtp,
//     not through gortsplib's decoders.
//   - -shared-track is not MediaMTX's way: one TrackLocalStaticRTP per path, added to every
//     viewer's peer connection and written once per packet, so pion fans out.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v2"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v3"
)

const (
	pathPrefix       = "bench" // path i is "bench<i>": ringcast-loadgen's --whep-url .../bench%d/whep
	streamID         = "mediamtx"
	h264Fmtp         = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
	writeQueueSize   = 512
	handshakeTimeout = 10 * time.Second
	gatherTimeout    = 5 * time.Second
	payloadMaxSize   = 1188 // 1200 - 12 (RTP header), as MediaMTX's H.264 encoder
	maxOfferBytes    = 64 << 10
	maxDatagram      = 1500
)

// --- configuration ---------------------------------------------------------------------------

type config struct {
	httpAddr    string
	udpPort     int
	rtpBase     int
	streams     int
	ip          string
	mdns        bool
	nack        bool
	sharedTrack bool
	repacketize bool
	srInterval  time.Duration
	statsEvery  time.Duration
	verbose     bool
}

func parseFlags() (config, error) {
	var c config
	flag.StringVar(&c.httpAddr, "http", "127.0.0.1:8889", "WHEP listen address (HOST:PORT)")
	flag.IntVar(&c.udpPort, "udp-port", 8189, "the one UDP port of every peer connection's ICE (ICE UDP mux)")
	flag.IntVar(&c.rtpBase, "rtp-base", 20000, "stream i's RTP arrives on UDP port rtp-base + 2i")
	flag.IntVar(&c.streams, "streams", 1, "number of streams; stream i is path \""+pathPrefix+"<i>\"")
	flag.StringVar(&c.ip, "ip", "127.0.0.1", "IPv4 address the ICE and RTP sockets bind to; the one host candidate")
	flag.BoolVar(&c.mdns, "mdns", false, "pion's default mDNS mode (query only) instead of mDNS off")
	flag.BoolVar(&c.nack, "nack", true, "NACK responder and generator interceptors (ConfigureNack)")
	flag.BoolVar(&c.sharedTrack, "shared-track", false, "one track per path shared by all its viewers, instead of one per viewer")
	flag.BoolVar(&c.repacketize, "repacketize", false, "re-packetize every access unit for every viewer, as MediaMTX's H.264 encoder does")
	flag.DurationVar(&c.srInterval, "sr-interval", time.Second, "RTCP sender and receiver report interval")
	flag.DurationVar(&c.statsEvery, "stats", 10*time.Second, "log a summary this often (0: never)")
	flag.BoolVar(&c.verbose, "v", false, "log every session")
	flag.Parse()
	if flag.NArg() != 0 {
		return c, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	ip := net.ParseIP(c.ip)
	if ip == nil || ip.To4() == nil || ip.IsUnspecified() {
		return c, fmt.Errorf("-ip %q: needs one IPv4 address (it is advertised as the host candidate)", c.ip)
	}
	if c.streams < 1 || c.streams > 4096 {
		return c, fmt.Errorf("-streams %d: out of range 1..4096", c.streams)
	}
	if c.rtpBase < 1 || c.rtpBase+2*c.streams > 65535 {
		return c, fmt.Errorf("-rtp-base %d: ports run out of range for %d streams", c.rtpBase, c.streams)
	}
	if c.udpPort < 1 || c.udpPort > 65535 {
		return c, fmt.Errorf("-udp-port %d: out of range", c.udpPort)
	}
	if c.srInterval <= 0 {
		return c, fmt.Errorf("-sr-interval %v: must be positive", c.srInterval)
	}
	if c.sharedTrack && c.repacketize {
		return c, errors.New("-repacketize re-packetizes per viewer track; it does not go with -shared-track")
	}
	return c, nil
}

// --- streams: RTP in, access units out --------------------------------------------------------

// accessUnit is what a stream hands its readers: the RTP packets of one frame as received, and
// with -repacketize the frame's NAL units as an Annex B byte stream. Readers share it read-only.
type accessUnit struct {
	packets   []*rtp.Packet
	timestamp uint32
	annexB    []byte
}

// stream receives one RTP/UDP stream (one path) and feeds its readers.
type stream struct {
	index  int
	name   string
	conn   *net.UDPConn
	shared *webrtc.TrackLocalStaticRTP // -shared-track: written here, once per packet
	log    *log.Logger

	repacketize  bool
	depacketizer codecs.H264Packet
	pending      []*rtp.Packet
	annexB       []byte

	readersMu sync.Mutex
	readers   atomic.Pointer[[]*reader] // copy on write: the receive loop reads it per frame

	live      atomic.Bool
	packetsIn atomic.Uint64
	unitsIn   atomic.Uint64
	discarded atomic.Uint64
}

func newStream(c *config, index int, logger *log.Logger) (*stream, error) {
	addr := &net.UDPAddr{IP: net.ParseIP(c.ip), Port: c.rtpBase + 2*index}
	conn, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("stream %d: %w", index, err)
	}
	_ = conn.SetReadBuffer(4 << 20) // capped by net.core.rmem_max
	s := &stream{
		index:       index,
		name:        pathPrefix + strconv.Itoa(index),
		conn:        conn,
		log:         logger,
		repacketize: c.repacketize,
	}
	s.readers.Store(&[]*reader{})
	if c.sharedTrack {
		s.shared, err = webrtc.NewTrackLocalStaticRTP(videoCaps(), "video", streamID)
		if err != nil {
			conn.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *stream) run() {
	for {
		// A buffer per packet: readers keep the packets of a frame until they have written them.
		buf := make([]byte, maxDatagram)
		n, _, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		pkt := &rtp.Packet{}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		s.packetsIn.Add(1)
		if !s.live.Load() {
			s.live.Store(true)
			s.log.Printf("path %s: receiving RTP on %s", s.name, s.conn.LocalAddr())
		}
		if s.shared != nil {
			_ = s.shared.WriteRTP(pkt) // an error names a binding whose connection is going away
			continue
		}
		s.collect(pkt)
	}
}

// collect gathers a frame's packets (up to the marker bit, or a new timestamp when the marker
// was lost) and pushes the frame to every reader.
func (s *stream) collect(pkt *rtp.Packet) {
	if len(s.pending) > 0 && pkt.Timestamp != s.pending[0].Timestamp {
		s.flush()
	}
	s.pending = append(s.pending, pkt)
	if s.repacketize {
		if nalus, err := s.depacketizer.Unmarshal(pkt.Payload); err == nil {
			s.annexB = append(s.annexB, nalus...)
		}
	}
	if pkt.Marker {
		s.flush()
	}
}

func (s *stream) flush() {
	au := &accessUnit{packets: s.pending, timestamp: s.pending[0].Timestamp, annexB: s.annexB}
	s.pending, s.annexB = nil, nil
	s.unitsIn.Add(1)
	for _, r := range *s.readers.Load() {
		select {
		case r.queue <- au:
		default:
			s.discarded.Add(1) // MediaMTX: "reader is too slow, discarding frames"
		}
	}
}

func (s *stream) addReader(r *reader) {
	s.readersMu.Lock()
	defer s.readersMu.Unlock()
	old := *s.readers.Load()
	next := make([]*reader, 0, len(old)+1)
	next = append(append(next, old...), r)
	s.readers.Store(&next)
}

func (s *stream) removeReader(r *reader) {
	s.readersMu.Lock()
	defer s.readersMu.Unlock()
	old := *s.readers.Load()
	next := make([]*reader, 0, len(old))
	for _, x := range old {
		if x != r {
			next = append(next, x)
		}
	}
	s.readers.Store(&next)
}

// reader is one viewer's side of a stream: its queue, its goroutine and its own track.
type reader struct {
	track       *webrtc.TrackLocalStaticRTP
	queue       chan *accessUnit
	stop        chan struct{}
	done        chan struct{}
	repacketize bool
	payloader   codecs.H264Payloader
	seq         uint16
}

func newReader(track *webrtc.TrackLocalStaticRTP, repacketize bool) *reader {
	var seed [2]byte
	_, _ = rand.Read(seed[:])
	return &reader{
		track:       track,
		queue:       make(chan *accessUnit, writeQueueSize),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
		repacketize: repacketize,
		seq:         binary.BigEndian.Uint16(seed[:]),
	}
}

func (r *reader) run() {
	defer close(r.done)
	for {
		select {
		case au := <-r.queue:
			r.write(au)
		case <-r.stop:
			return
		}
	}
}

func (r *reader) write(au *accessUnit) {
	if !r.repacketize {
		for _, pkt := range au.packets {
			_ = r.track.WriteRTP(pkt) // copies the header, sets this viewer's SSRC and PT
		}
		return
	}
	payloads := r.payloader.Payload(payloadMaxSize, au.annexB)
	for i, payload := range payloads {
		pkt := &rtp.Packet{
			Header: rtp.Header{
				Version:        2,
				PayloadType:    96,
				SequenceNumber: r.seq,
				Timestamp:      au.timestamp,
				Marker:         i == len(payloads)-1,
			},
			Payload: payload,
		}
		r.seq++
		_ = r.track.WriteRTP(pkt)
	}
}

// --- pion, set up as MediaMTX sets it up ------------------------------------------------------

func videoCaps() webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: h264Fmtp}
}

func audioCaps() webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}
}

// answeringRole is the DTLS role pion v4 takes when answering this offer (CreateAnswer: the
// opposite of the offer's a=setup, the default for actpass). Pion v3 answers with its default
// role, active, whatever the offer says; an offer with a=setup:active (ringcast-loadgen's) then
// gets an answer that is active too, which such a peer must refuse (RFC 5763 §5).
func answeringRole(offer string) webrtc.DTLSRole {
	for _, line := range strings.Split(offer, "\n") {
		switch strings.TrimSpace(line) {
		case "a=setup:active":
			return webrtc.DTLSRoleServer
		case "a=setup:passive":
			return webrtc.DTLSRoleClient
		}
	}
	return webrtc.DTLSRoleAuto
}

// newPeerConnection builds a peer connection from its own setting engine, media engine and
// interceptor registry, as MediaMTX's PeerConnection.Start does for a reader.
func (rl *relay) newPeerConnection(offer string) (*webrtc.PeerConnection, error) {
	settings := webrtc.SettingEngine{LoggerFactory: rl.pionLogs}
	if role := answeringRole(offer); role != webrtc.DTLSRoleAuto {
		if err := settings.SetAnsweringDTLSRole(role); err != nil {
			return nil, err
		}
	}
	settings.SetIncludeLoopbackCandidate(true)
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	settings.SetICEUDPMux(rl.udpMux)
	if rl.cfg.mdns {
		settings.SetICEMulticastDNSMode(ice.MulticastDNSModeQueryOnly)
	} else {
		settings.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}

	media := &webrtc.MediaEngine{}
	// The outbound tracks' codecs, PT 96 + i: the H.264 video track and the PCMU placeholder.
	if err := media.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: videoCaps(), PayloadType: 96},
		webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := media.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: audioCaps(), PayloadType: 97},
		webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}

	registry := &interceptor.Registry{}
	if rl.cfg.nack {
		if err := webrtc.ConfigureNack(media, registry); err != nil {
			return nil, err
		}
	}
	receiverReports, err := report.NewReceiverInterceptor(report.ReceiverInterval(rl.cfg.srInterval))
	if err != nil {
		return nil, err
	}
	senderReports, err := report.NewSenderInterceptor(report.SenderInterval(rl.cfg.srInterval))
	if err != nil {
		return nil, err
	}
	registry.Add(receiverReports)
	registry.Add(senderReports)
	if err := webrtc.ConfigureTWCCSender(media, registry); err != nil {
		return nil, err
	}

	api := webrtc.NewAPI(webrtc.WithSettingEngine(settings), webrtc.WithMediaEngine(media),
		webrtc.WithInterceptorRegistry(registry))
	return api.NewPeerConnection(webrtc.Configuration{})
}

// readRTCP drains a sender's RTCP so that the interceptors see it (NACKs reach the responder
// only through this read), parsing it as MediaMTX's outbound track does.
func readRTCP(sender *webrtc.RTPSender) {
	buf := make([]byte, maxDatagram)
	for {
		n, _, err := sender.Read(buf)
		if err != nil {
			return
		}
		_, _ = rtcp.Unmarshal(buf[:n])
	}
}

// --- sessions ---------------------------------------------------------------------------------

type session struct {
	id     string
	rl     *relay
	stream *stream
	pc     *webrtc.PeerConnection
	reader *reader // nil with -shared-track

	stateChanged chan struct{} // a wake-up; the state itself is read from pc
	stop         chan struct{} // DELETE or shutdown
	stopOnce     sync.Once
}

func (s *session) end() { s.stopOnce.Do(func() { close(s.stop) }) }

// open applies the viewer's offer and returns the answer with every candidate in it.
func (rl *relay) openSession(st *stream, offer string) (*session, string, error) {
	pc, err := rl.newPeerConnection(offer)
	if err != nil {
		return nil, "", fmt.Errorf("peer connection: %w", err)
	}
	s := &session{
		id:           randomID(),
		rl:           rl,
		stream:       st,
		pc:           pc,
		stateChanged: make(chan struct{}, 1),
		stop:         make(chan struct{}),
	}
	fail := func(err error) (*session, string, error) {
		_ = pc.Close()
		return nil, "", err
	}

	video := st.shared
	if video == nil {
		if video, err = webrtc.NewTrackLocalStaticRTP(videoCaps(), "video", streamID); err != nil {
			return fail(err)
		}
		s.reader = newReader(video, rl.cfg.repacketize)
	}
	audio, err := webrtc.NewTrackLocalStaticRTP(audioCaps(), "audio", streamID)
	if err != nil {
		return fail(err)
	}
	for _, track := range []webrtc.TrackLocal{video, audio} {
		sender, err := pc.AddTrack(track)
		if err != nil {
			return fail(fmt.Errorf("add track: %w", err))
		}
		go readRTCP(sender)
	}
	pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) {
		select {
		case s.stateChanged <- struct{}{}:
		default:
		}
	})

	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("offer: %w", err))
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(fmt.Errorf("answer: %w", err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(fmt.Errorf("answer: %w", err))
	}
	select {
	case <-gathered:
	case <-time.After(gatherTimeout):
		return fail(errors.New("ICE gathering did not complete"))
	}
	return s, pc.LocalDescription().SDP, nil
}

// run waits for the connection, attaches the reader, and tears the session down at the end.
func (s *session) run() {
	defer s.rl.sessionDone(s)
	defer func() { _ = s.pc.Close() }()

	handshake := time.NewTimer(handshakeTimeout)
	defer handshake.Stop()
	for connected := false; !connected; {
		switch s.pc.ConnectionState() {
		case webrtc.PeerConnectionStateConnected:
			connected = true
			continue
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			s.rl.verbose("session %s (%s): connection %s before it was up", s.id, s.stream.name, s.pc.ConnectionState())
			return
		}
		select {
		case <-s.stateChanged:
		case <-s.stop:
			s.rl.verbose("session %s (%s): ended before it was up", s.id, s.stream.name)
			return
		case <-handshake.C:
			s.rl.log.Printf("session %s (%s): not connected after %v", s.id, s.stream.name, handshakeTimeout)
			return
		}
	}
	s.rl.verbose("session %s (%s): connected", s.id, s.stream.name)

	if s.reader != nil {
		go s.reader.run()
		s.stream.addReader(s.reader)
		defer func() {
			s.stream.removeReader(s.reader)
			close(s.reader.stop)
			<-s.reader.done
		}()
	}
	for {
		if st := s.pc.ConnectionState(); st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			s.rl.verbose("session %s (%s): connection %s", s.id, s.stream.name, st)
			return
		}
		select {
		case <-s.stateChanged:
		case <-s.stop:
			s.rl.verbose("session %s (%s): ended (DELETE or shutdown)", s.id, s.stream.name)
			return
		}
	}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// --- the relay and its WHEP endpoint -----------------------------------------------------------

type relay struct {
	cfg      config
	log      *log.Logger
	pionLogs logging.LoggerFactory
	iceConn  *net.UDPConn
	udpMux   *ice.UDPMuxDefault
	streams  []*stream

	mu       sync.Mutex
	sessions map[string]*session
	closing  bool
	running  sync.WaitGroup // session goroutines
	readers  sync.WaitGroup // stream receive loops
	opened   atomic.Uint64
	closed   atomic.Uint64
}

func newRelay(c config, logger *log.Logger) (*relay, error) {
	pionLogs := &logging.DefaultLoggerFactory{Writer: os.Stderr, DefaultLogLevel: logging.LogLevelError,
		ScopeLevels: map[string]logging.LogLevel{}}
	rl := &relay{cfg: c, log: logger, pionLogs: pionLogs, sessions: map[string]*session{}}

	iceConn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(c.ip), Port: c.udpPort})
	if err != nil {
		return nil, fmt.Errorf("ICE UDP port: %w", err)
	}
	rl.iceConn = iceConn
	rl.udpMux = ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: iceConn, Logger: pionLogs.NewLogger("ice-mux")})

	for i := 0; i < c.streams; i++ {
		st, err := newStream(&rl.cfg, i, logger)
		if err != nil {
			rl.closeSockets()
			return nil, err
		}
		rl.streams = append(rl.streams, st)
	}
	for _, st := range rl.streams {
		rl.readers.Add(1)
		go func(st *stream) {
			defer rl.readers.Done()
			st.run()
		}(st)
	}
	return rl, nil
}

func (rl *relay) verbose(format string, args ...interface{}) {
	if rl.cfg.verbose {
		rl.log.Printf(format, args...)
	}
}

func (rl *relay) closeSockets() {
	for _, st := range rl.streams {
		st.conn.Close()
	}
	_ = rl.udpMux.Close() // closes iceConn
}

// streamByName maps "bench<i>" to stream i.
func (rl *relay) streamByName(name string) *stream {
	if !strings.HasPrefix(name, pathPrefix) {
		return nil
	}
	i, err := strconv.Atoi(name[len(pathPrefix):])
	if err != nil || i < 0 || i >= len(rl.streams) || strconv.Itoa(i) != name[len(pathPrefix):] {
		return nil
	}
	return rl.streams[i]
}

func (rl *relay) sessionDone(s *session) {
	rl.mu.Lock()
	delete(rl.sessions, s.id)
	rl.mu.Unlock()
	rl.closed.Add(1)
	rl.running.Done()
}

// ServeHTTP: POST /NAME/whep (offer → 201 + answer + Location), DELETE /NAME/whep/ID,
// GET /status (JSON, also the readiness check).
func (rl *relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "status" && req.Method == http.MethodGet:
		rl.serveStatus(w)
	case len(parts) == 2 && parts[1] == "whep":
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rl.serveOffer(w, req, parts[0])
	case len(parts) == 3 && parts[1] == "whep":
		if req.Method != http.MethodDelete {
			w.Header().Set("Allow", "DELETE")
			http.Error(w, "method not allowed (no trickle ICE)", http.StatusMethodNotAllowed)
			return
		}
		rl.mu.Lock()
		s := rl.sessions[parts[2]]
		rl.mu.Unlock()
		if s == nil || s.stream.name != parts[0] {
			http.Error(w, "no such session", http.StatusNotFound)
			return
		}
		s.end()
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, req)
	}
}

func (rl *relay) serveOffer(w http.ResponseWriter, req *http.Request, name string) {
	st := rl.streamByName(name)
	if st == nil || !st.live.Load() {
		http.Error(w, "no stream is available on path "+name, http.StatusNotFound)
		return
	}
	if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/sdp") {
		http.Error(w, "Content-Type must be application/sdp", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxOfferBytes+1))
	if err != nil || len(body) == 0 || len(body) > maxOfferBytes {
		http.Error(w, "bad offer body", http.StatusBadRequest)
		return
	}
	s, answer, err := rl.openSession(st, string(body))
	if err != nil {
		rl.log.Printf("path %s: WHEP offer refused: %v", name, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rl.mu.Lock()
	if rl.closing {
		rl.mu.Unlock()
		_ = s.pc.Close()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	rl.sessions[s.id] = s
	rl.running.Add(1)
	rl.mu.Unlock()
	rl.opened.Add(1)
	rl.verbose("session %s (%s): answered %s", s.id, name, req.RemoteAddr)
	go s.run()

	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/"+name+"/whep/"+s.id)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

type status struct {
	Streams  []streamStatus `json:"streams"`
	Sessions int            `json:"sessions"`
	Opened   uint64         `json:"sessions_opened"`
	Closed   uint64         `json:"sessions_closed"`
}

type streamStatus struct {
	Path      string `json:"path"`
	Port      int    `json:"rtp_port"`
	Live      bool   `json:"live"`
	Readers   int    `json:"readers"`
	Packets   uint64 `json:"packets_in"`
	Frames    uint64 `json:"frames_in"`
	Discarded uint64 `json:"frames_discarded"`
}

func (rl *relay) snapshot() status {
	rl.mu.Lock()
	out := status{Sessions: len(rl.sessions)}
	rl.mu.Unlock()
	out.Opened, out.Closed = rl.opened.Load(), rl.closed.Load()
	for _, st := range rl.streams {
		out.Streams = append(out.Streams, streamStatus{
			Path: st.name, Port: st.conn.LocalAddr().(*net.UDPAddr).Port, Live: st.live.Load(),
			Readers: len(*st.readers.Load()), Packets: st.packetsIn.Load(), Frames: st.unitsIn.Load(),
			Discarded: st.discarded.Load(),
		})
	}
	return out
}

func (rl *relay) serveStatus(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rl.snapshot())
}

func (rl *relay) logStats() {
	s := rl.snapshot()
	live := 0
	var packets, frames, discarded uint64
	for _, st := range s.Streams {
		if st.Live {
			live++
		}
		packets += st.Packets
		frames += st.Frames
		discarded += st.Discarded
	}
	rl.log.Printf("streams live %d/%d, sessions %d (opened %d, closed %d), packets in %d, frames %d, frames discarded %d",
		live, len(s.Streams), s.Sessions, s.Opened, s.Closed, packets, frames, discarded)
}

// shutdown ends every session (their peer connections closed), then the sockets.
func (rl *relay) shutdown(timeout time.Duration) {
	rl.mu.Lock()
	rl.closing = true
	for _, s := range rl.sessions {
		s.end()
	}
	rl.mu.Unlock()
	done := make(chan struct{})
	go func() {
		rl.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		rl.log.Printf("shutdown: sessions still closing after %v", timeout)
	}
	rl.closeSockets()
	rl.readers.Wait()
}

// --- main -------------------------------------------------------------------------------------

func main() {
	logger := log.New(os.Stderr, "pion-relay: ", log.LstdFlags|log.Lmicroseconds)
	c, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pion-relay:", err)
		os.Exit(2)
	}
	rl, err := newRelay(c, logger)
	if err != nil {
		logger.Printf("%v", err)
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		logger.Printf("http: %v", err)
		rl.shutdown(time.Second)
		os.Exit(1)
	}
	server := &http.Server{Handler: rl, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Printf("http: %v", err)
		}
	}()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	logger.Printf("ready: WHEP http://%s/%s<i>/whep, ICE UDP %s:%d, RTP %s:%d..%d (%d streams); "+
		"nack=%v mdns=%v shared-track=%v repacketize=%v sr-interval=%v",
		listener.Addr(), pathPrefix, c.ip, c.udpPort, c.ip, c.rtpBase, c.rtpBase+2*(c.streams-1), c.streams,
		c.nack, c.mdns, c.sharedTrack, c.repacketize, c.srInterval)

	var ticks <-chan time.Time
	if c.statsEvery > 0 {
		ticker := time.NewTicker(c.statsEvery)
		defer ticker.Stop()
		ticks = ticker.C
	}
	for running := true; running; {
		select {
		case sig := <-signals:
			logger.Printf("%v: shutting down", sig)
			running = false
		case <-ticks:
			rl.logStats()
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = server.Shutdown(ctx)
	cancel()
	rl.shutdown(5 * time.Second)
	rl.logStats()
	logger.Printf("stopped")
}
