import Taskiq

/// One entry of a Redis stream as a consumer-group read or claim returns it.
///
/// `fields` is `nil` when the entry was deleted (trimmed by `MAXLEN`, or `XDEL`) while it
/// was still pending: Redis then returns the ID with a null field list.
struct RedisStreamEntry: Sendable {
    /// The entry ID, `<ms>-<seq>`.
    var id: String
    /// The field-value pairs in wire order, or `nil` for a deleted entry.
    var fields: [(name: String, value: [UInt8])]?
    /// How many times the entry has been delivered, when known (1 for a first read).
    var deliveries: Int

    /// The field a hand-back (``RedisStreamConsumer/handBack()``) writes on the re-added entry:
    /// how many times the original was delivered, so the count carries over to the new entry
    /// and ``RedisStreamBrokerOptions/maxDeliveries`` still ends a loop of hand-backs. Python
    /// taskiq-redis reads only `data` and ignores it.
    static let deliveriesField = "taskiq_deliveries"

    /// Deliveries of earlier entries this one was handed back from (0 for a first XADD). A
    /// value that is not a small non-negative integer counts as 0 (it is only ever written here).
    var priorDeliveries: Int {
        guard let bytes = fields?.first(where: { $0.name == Self.deliveriesField })?.value, bytes.count <= 9,
            let count = Int(String(decoding: bytes, as: UTF8.self)), count >= 0
        else { return 0 }
        return count
    }

    /// The largest delivery count read from Redis; larger ones are taken as this. Far above any
    /// `max_deliveries`, and small enough that adding the prior count or one more cannot overflow.
    static let maximumDeliveryCount = 1 << 40

    /// A delivery count from an `XPENDING` row, clamped to `0...maximumDeliveryCount`: a number
    /// from the socket reaches arithmetic (`+ 1`, ``totalDeliveries``), where an overflow traps.
    static func deliveryCount(_ value: RESPValue) -> Int? {
        value.int.map { min(max($0, 0), maximumDeliveryCount) }
    }

    /// Deliveries of this entry and of the ones it was handed back from.
    var totalDeliveries: Int { deliveries + priorDeliveries }

    /// The value of the `data` field, which holds the serialised taskiq message.
    var data: [UInt8]? {
        fields?.first { $0.name == "data" }?.value
    }

    /// Reads `[id, [field, value, ...]]`.
    init?(_ value: RESPValue, deliveries: Int = 1) {
        guard let parts = value.array, parts.count == 2, let id = parts[0].string else { return nil }
        self.id = id
        self.deliveries = deliveries
        if parts[1].isNull {
            fields = nil
        } else if let pairs = parts[1].pairs {
            fields = pairs.map { (name: $0.key.string ?? "", value: $0.value.bytes ?? []) }
        } else {
            fields = []
        }
    }

    /// The entries of an `XREADGROUP` reply for one stream: RESP3 `%{stream: entries}`,
    /// RESP2 `[[stream, entries]]`, or null when nothing arrived.
    static func fromRead(_ reply: RESPValue) -> [RedisStreamEntry] {
        var lists: [RESPValue] = []
        switch reply.withoutAttributes {
        case .map(let pairs):
            lists = pairs.map(\.value)
        case .array(let streams):
            lists = streams.compactMap { $0.array.flatMap { $0.count == 2 ? $0[1] : nil } }
        default:
            return []
        }
        return lists.flatMap { fromList($0) }
    }

    /// A list of entries (`XRANGE`, `XCLAIM` or the second element of `XAUTOCLAIM`); null
    /// elements (deleted entries on Redis 6.2) are skipped.
    static func fromList(_ reply: RESPValue) -> [RedisStreamEntry] {
        (reply.array ?? []).compactMap { RedisStreamEntry($0) }
    }
}
