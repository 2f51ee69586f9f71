/// The limits agreed in the Tune/TuneOk exchange.
package struct AMQPTuning: Sendable, Equatable {
    /// The highest channel number either side may use.
    package var channelMax: UInt16
    /// The largest frame in bytes, overhead included.
    package var frameMax: UInt32
    /// Seconds between heartbeats; 0 disables them.
    package var heartbeat: UInt16

    /// Creates limits.
    package init(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }

    /// What the client answers to the server's proposal: per field, the smaller of the two
    /// non-zero values (0 means "no limit" on either side).
    package static func negotiate(client: AMQPTuning, server: AMQPTuning) -> AMQPTuning {
        func pick<T: BinaryInteger>(_ a: T, _ b: T) -> T {
            if a == 0 { return b }
            if b == 0 { return a }
            return min(a, b)
        }
        var frameMax = pick(client.frameMax, server.frameMax)
        if frameMax != 0 { frameMax = max(frameMax, AMQPFrame.minimumFrameMax) }
        return AMQPTuning(
            channelMax: pick(client.channelMax, server.channelMax), frameMax: frameMax,
            heartbeat: pick(client.heartbeat, server.heartbeat))
    }
}
