#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TimeZoneRules {
    /// The zone database directory: `$TZDIR` when set, else `/usr/share/zoneinfo`.
    public static var databaseDirectory: String {
        if let directory = CurrentProcess.environment("TZDIR"), !directory.isEmpty { return directory }
        return "/usr/share/zoneinfo"
    }

    /// Loads the zone named `name` (`Europe/Berlin`) from ``databaseDirectory``.
    ///
    /// The name must look like an IANA name, so it can only name a file inside the database:
    /// letters, digits, `_`, `+`, `-` and `/` between non-empty parts, no leading `/`, no `.`.
    /// - Parameter name: An IANA zone name.
    /// - Returns: The zone's rules.
    /// - Throws: ``TimeZoneRulesError``: `invalidName`; `missingDatabase` when the directory does
    ///   not exist (install `tzdata`); `unknownZone`; `unreadable`; `invalidData` or `invalidRule`.
    public static func load(named name: String) throws(TimeZoneRulesError) -> TimeZoneRules {
        try load(named: name, from: databaseDirectory)
    }

    /// Loads the zone named `name` from the database in `directory`; see ``load(named:)``.
    /// - Parameters:
    ///   - name: An IANA zone name.
    ///   - directory: A directory laid out like `/usr/share/zoneinfo`.
    /// - Returns: The zone's rules.
    /// - Throws: ``TimeZoneRulesError``, as ``load(named:)``.
    public static func load(named name: String, from directory: String) throws(TimeZoneRulesError) -> TimeZoneRules {
        if let problem = problem(withName: name) {
            throw TimeZoneRulesError(.invalidName, "'\(name)' is not a time zone name: \(problem)")
        }
        let path = FileSystem.path(name, in: directory)
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch let error {
            if error.isNoSuchFile {
                if (try? FileSystem.kind(of: directory)) != .directory {
                    throw TimeZoneRulesError(
                        .missingDatabase,
                        """
                        cannot load time zone '\(name)': there is no time zone database at \(directory) \
                        (install the tzdata package, or set TZDIR to its directory)
                        """)
                }
                throw TimeZoneRulesError(.unknownZone, "unknown time zone '\(name)': there is no \(path)")
            }
            if error.code == EISDIR {
                throw TimeZoneRulesError(.unknownZone, "unknown time zone '\(name)': \(path) is a directory of zones")
            }
            throw TimeZoneRulesError(.unreadable, "cannot read time zone '\(name)' from \(path): \(error.detailedDescription)")
        }
        return try TimeZoneRules(tzif: bytes, name: path)
    }

    /// Why `name` is not an acceptable zone name, or `nil` when it is.
    static func problem(withName name: String) -> String? {
        guard !name.isEmpty else { return "it is empty" }
        guard name.utf8.count <= 255 else { return "it is longer than 255 bytes" }
        for byte in name.utf8 {
            let allowed =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/")
            guard allowed else { return "only letters, digits, '_', '+', '-' and '/' may appear in one" }
        }
        guard !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            return "it has an empty part (a leading, trailing or doubled '/')"
        }
        return nil
    }

    /// The bytes of the file at `path`, at most 4 MiB (zone files are a few KiB).
    private static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        guard try FileSystem.kind(of: path) != .directory else { throw SystemError(code: EISDIR) }
        let size = try file.size()
        guard size <= 4 << 20 else { throw SystemError(code: EFBIG) }
        // One byte more than the size, to see a file that grew while it was read.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while count < bytes.count {
            let read = try bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]), at: count)
                }
            }.get()
            if read == 0 { break }
            count += read
        }
        guard count <= size else { throw SystemError(code: EAGAIN) }
        return Array(bytes[..<count])
    }
}
