#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `posix_spawn` does to descriptors in the child, beyond the usual.
package enum SpawnFileActions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Glibc
    /// module does not declare; `nil` on an older C library.
    private static let closeFrom: CloseFrom? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: CloseFrom.self)
        #else
        return nil
        #endif
    }()

    /// Has the child close every descriptor from `lowest` up, so that it inherits none the
    /// parent opened without close-on-exec (pipes of other children among them: a pipe's
    /// reader sees its end only once every process holding the other end closed it).
    ///
    /// Without `addclosefrom` it names the descriptors open now, read from `/proc/self/fd`
    /// (or `/dev/fd`); a descriptor another thread opens after that is still inherited.
    package static func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        if let closeFrom, closeFrom(&actions, lowest) == 0 { return }
        #if os(Linux)
        let directory = "/proc/self/fd"
        #else
        let directory = "/dev/fd"
        #endif
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        let own = dirfd(stream)
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let descriptor = Int32(name), descriptor >= lowest, descriptor != own else { continue }
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}
