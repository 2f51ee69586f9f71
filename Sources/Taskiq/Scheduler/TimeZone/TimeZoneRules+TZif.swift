extension TimeZoneRules {
    /// Parses a TZif file (RFC 8536), versions 1 to 4.
    ///
    /// Versions 2 and later are read from their 64-bit block and footer rule; a version 1 file
    /// from its 32-bit block. Every count and index is checked against the bytes present, so
    /// damaged data throws rather than traps. Leap-second records are skipped (zoneinfo files,
    /// unlike `right/` ones, have none).
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - name: The zone name or path, for error messages.
    /// - Throws: ``TimeZoneRulesError`` with code `invalidData` (or `invalidRule` for a bad footer).
    public init(tzif bytes: [UInt8], name: String = "zone") throws(TimeZoneRulesError) {
        func invalid(_ message: String) -> TimeZoneRulesError {
            TimeZoneRulesError(.invalidData, "time zone '\(name)' is not valid TZif data: \(message)")
        }
        var reader = TZifReader(bytes: bytes)
        guard let v1 = reader.header(), v1.magic else { throw invalid("no 'TZif' header") }
        guard let v1Length = v1.dataLength(timeSize: 4) else { throw invalid("impossible counts in the header") }
        guard v1.version == 0 || v1.version >= UInt8(ascii: "2") else { throw invalid("unknown version \(v1.version)") }
        if v1.version == 0 {
            try self.init(block: &reader, header: v1, timeSize: 4, footer: nil, invalid: invalid)
            return
        }
        guard reader.skip(v1Length) else { throw invalid("truncated version 1 data") }
        guard let v2 = reader.header(), v2.magic else { throw invalid("no second 'TZif' header") }
        var block = reader
        guard let v2Length = v2.dataLength(timeSize: 8), reader.skip(v2Length) else {
            throw invalid("truncated 64-bit data")
        }
        guard reader.take(UInt8(ascii: "\n")), let footerEnd = reader.remaining.firstIndex(of: UInt8(ascii: "\n")) else {
            throw invalid("no footer line after the 64-bit data")
        }
        let footerBytes = reader.remaining[reader.remaining.startIndex..<footerEnd]
        guard footerBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw invalid("a footer that is not printable ASCII") }
        let footer = footerBytes.isEmpty ? nil : try POSIXTimeZoneRule(parsing: String(decoding: footerBytes, as: UTF8.self))
        try self.init(block: &block, header: v2, timeSize: 8, footer: footer, invalid: invalid)
    }

    private init(
        block reader: inout TZifReader, header: TZifReader.Header, timeSize: Int, footer: POSIXTimeZoneRule?,
        invalid: (String) -> TimeZoneRulesError
    ) throws(TimeZoneRulesError) {
        guard header.typeCount > 0 else { throw invalid("no local time types") }
        // Checked before anything is allocated, so a huge count in a short file costs nothing.
        guard let length = header.dataLength(timeSize: timeSize), length <= reader.remaining.count else {
            throw invalid("the header promises more data than the file holds")
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            guard let time = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { throw invalid("truncated transitions") }
            if let previous = transitions.last, time <= previous { throw invalid("transition times out of order") }
            transitions.append(time)
        }
        var typeIndices: [Int] = []
        typeIndices.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            guard let index = reader.byte() else { throw invalid("truncated transition types") }
            guard Int(index) < header.typeCount else { throw invalid("transition type \(index) of \(header.typeCount) types") }
            typeIndices.append(Int(index))
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<header.typeCount {
            guard let offset = reader.int32(), let isDST = reader.byte(), let designation = reader.byte() else {
                throw invalid("truncated local time types")
            }
            // RFC 8536: more than -25 hours and less than 26 hours.
            guard offset > -90_000, offset < 93_600 else { throw invalid("UTC offset \(offset) s is out of range") }
            guard isDST <= 1 else { throw invalid("daylight-saving flag \(isDST)") }
            guard Int(designation) < header.charCount else { throw invalid("abbreviation index \(designation) past the abbreviations") }
            typeOffsets.append(offset)
        }
        self.init(
            transitions: transitions, offsets: typeIndices.map { typeOffsets[$0] },
            initialOffset: Int(typeOffsets[0]), rule: footer)
    }
}

/// A bounds-checked big-endian cursor over TZif bytes.
private struct TZifReader {
    /// The counts of a TZif header.
    struct Header {
        var magic: Bool
        var version: UInt8
        var utIndicatorCount: Int
        var standardIndicatorCount: Int
        var leapCount: Int
        var timeCount: Int
        var typeCount: Int
        var charCount: Int

        /// The bytes of the data block after this header, or `nil` when the counts are impossible.
        func dataLength(timeSize: Int) -> Int? {
            guard utIndicatorCount == 0 || utIndicatorCount == typeCount,
                standardIndicatorCount == 0 || standardIndicatorCount == typeCount,
                typeCount <= 256, charCount > 0
            else { return nil }
            // Each count is below 2^32, so the sum cannot overflow Int.
            return timeCount * (timeSize + 1) + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                + standardIndicatorCount + utIndicatorCount
        }
    }

    let bytes: [UInt8]
    private(set) var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: ArraySlice<UInt8> { bytes[index...] }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, count <= bytes.count - index else { return false }
        index += count
        return true
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint32() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        defer { index += 4 }
        return bytes[index..<index + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func int32() -> Int32? { uint32().map { Int32(bitPattern: $0) } }

    mutating func int64() -> Int64? {
        guard bytes.count - index >= 8 else { return nil }
        defer { index += 8 }
        return Int64(bitPattern: bytes[index..<index + 8].reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The 44-byte header: magic, version, 15 reserved bytes, six counts.
    mutating func header() -> Header? {
        guard bytes.count - index >= 44 else { return nil }
        let magic = bytes[index..<index + 4].elementsEqual("TZif".utf8)
        let version = bytes[index + 4]
        index += 20
        var counts: [Int] = []
        for _ in 0..<6 { counts.append(Int(uint32()!)) }
        return Header(
            magic: magic, version: version, utIndicatorCount: counts[0], standardIndicatorCount: counts[1],
            leapCount: counts[2], timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
    }
}
