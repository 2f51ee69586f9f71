import Taskiq

/// Tuning for a ``ZMTPSocket``; the defaults follow libzmq where it has one.
package struct ZMTPSocketOptions: Sendable {
    /// Messages queued per peer before PUB drops for that peer and PUSH skips it (libzmq SNDHWM).
    package var sendHighWaterMark: Int
    /// Messages held for `receive()` before the readers stop reading, pushing back on the
    /// senders through TCP (libzmq RCVHWM).
    package var receiveHighWaterMark: Int
    /// How long a PUSH `send` waits for a ready peer with room before it throws.
    package var sendTimeout: Duration
    /// The largest frame accepted from a peer; larger declared sizes disconnect it.
    package var maxFrameSize: Int
    /// The largest multipart message accepted from a peer.
    package var maxMessageSize: Int
    /// The first reconnect delay of a connecting socket; it doubles per failed attempt.
    package var reconnectInterval: Duration
    /// The largest reconnect delay, before jitter.
    package var reconnectIntervalMax: Duration
    /// How long a peer may take to complete the greeting and READY (libzmq HANDSHAKE_IVL).
    package var handshakeTimeout: Duration
    /// How long one TCP connect attempt may take.
    package var connectTimeout: Duration
    /// The ZMTP minor version we announce: 1 (3.1) or 0 (3.0, legacy subscriptions).
    package var zmtpMinorVersion: UInt8
    /// Bytes a PUSH peer may leave unacknowledged by its TCP before it counts as not draining:
    /// while another peer drains, round-robin passes it over.
    package var drainBacklogLimit: Int
    /// Connections one bound endpoint serves at once (each costs a reader thread, and a writer thread while busy);
    /// further ones are closed at once and logged.
    package var maxConnections: Int

    package init(
        sendHighWaterMark: Int = 1000, receiveHighWaterMark: Int = 1000, sendTimeout: Duration = .seconds(5),
        maxFrameSize: Int = 8 << 20, maxMessageSize: Int = 8 << 20, reconnectInterval: Duration = .milliseconds(100),
        reconnectIntervalMax: Duration = .seconds(3), handshakeTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(2), zmtpMinorVersion: UInt8 = 1, drainBacklogLimit: Int = 64 << 10,
        maxConnections: Int = 256
    ) {
        self.sendHighWaterMark = sendHighWaterMark
        self.receiveHighWaterMark = receiveHighWaterMark
        self.sendTimeout = sendTimeout
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.reconnectInterval = reconnectInterval
        self.reconnectIntervalMax = reconnectIntervalMax
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.zmtpMinorVersion = zmtpMinorVersion
        self.drainBacklogLimit = drainBacklogLimit
        self.maxConnections = maxConnections
    }
}

extension ZMTPSocketOptions {
    /// The delays between a connecting socket's attempts: ``reconnectInterval`` doubling up to
    /// ``reconnectIntervalMax``, each plus up to half of it again at random (as libzmq spreads
    /// them), so many clients restarted together do not reconnect in lockstep.
    package var reconnectBackoff: Backoff {
        .exponential(initial: reconnectInterval, maximum: max(reconnectInterval, reconnectIntervalMax), jitter: 0...0.5)
    }
}
