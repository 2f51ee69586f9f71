#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kernel random bytes in bulk: one system call per 256 bytes instead of one per 8.
package enum SystemRandom {
    /// Fills `buffer` with random bytes (`getentropy`, `arc4random_buf` on Darwin).
    package static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Darwin)
        arc4random_buf(buffer.baseAddress!, buffer.count)
        #else
        // getentropy (the getrandom system call) fills at most 256 bytes per call.
        var offset = 0
        while offset < buffer.count {
            let length = min(256, buffer.count - offset)
            if getentropy(buffer.baseAddress! + offset, length) != 0 {
                // No getrandom (very old kernels): the standard library's generator, word by word.
                var generator = SystemRandomNumberGenerator()
                for word in stride(from: offset, to: buffer.count, by: 8) {
                    buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: word, as: UInt64.self)
                }
                return
            }
            offset += length
        }
        #endif
    }
}
