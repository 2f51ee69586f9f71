/// The read/write surface a protocol client needs from its connection: plain TCP
/// (``TCPConnection``) today, TLS over it later.
///
/// Every call blocks the calling thread; clients run their reader on a thread of their own.
/// ``shutdown()`` wakes a thread blocked in ``receive(into:)`` and must come before ``close()``,
/// which releases the connection once no thread uses it any more.
package protocol ByteStream: Sendable {
    /// Sends every byte, retrying short writes; a closed peer is an error, never `SIGPIPE`.
    func sendAll(_ bytes: [UInt8]) throws(TCPError)

    /// Reads what is available into `buffer`: the byte count, or 0 at the end of the stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TCPError) -> Int

    /// Waits until ``receive(into:)`` would not block, or `timeout` passes (`nil`: forever).
    /// - Returns: `false` when the timeout passed first.
    func waitReadable(timeout: Duration?) -> Bool

    /// Stops both directions and wakes every thread blocked on the connection; safe to repeat.
    func shutdown()

    /// Releases the connection; call once, after every thread using it has finished.
    func close()
}
