import Taskiq

extension RedisResultBackend {
    /// Parses a stored value as JSON, naming the likely cause when it is not.
    static func decode(_ bytes: [UInt8], key: String) throws(TaskiqError) -> JSONValue {
        if bytes.first == 0x80 {
            throw TaskiqError(
                .invalidResult,
                "the value at Redis key '\(key)' is a Python pickle (it starts with byte 0x80), not JSON; "
                    + "taskiq for Swift reads only JSON. taskiq-redis pickles results by default: configure the "
                    + "Python side with RedisAsyncResultBackend(..., serializer=JSONSerializer()) "
                    + "(from taskiq.serializers import JSONSerializer)")
        }
        do {
            // Python's json.dumps writes NaN and Infinity for non-finite floats.
            return try JSONParser(allowNonFinite: true).parse(bytes)
        } catch {
            throw TaskiqError(
                .invalidResult,
                "the value at Redis key '\(key)' is not JSON (\(bytes.count) bytes); taskiq for Swift reads "
                    + "only JSON: a Python writer needs RedisAsyncResultBackend(..., serializer=JSONSerializer())",
                underlying: error)
        }
    }

    /// Parses a stored result, naming the key when the JSON is not a result.
    static func decodeResult(_ bytes: [UInt8], key: String) throws(TaskiqError) -> TaskiqResult<JSONValue> {
        let value = try decode(bytes, key: key)
        do {
            return try TaskiqResult(wireValue: value)
        } catch {
            throw TaskiqError(.invalidResult, "the value at Redis key '\(key)' is not a taskiq result: \(error.message)")
        }
    }

    /// Wraps a client error in a ``TaskiqError`` that says what was being done, and where.
    func failure(_ error: any Error, _ doing: String, key: String) -> any Error {
        switch error {
        case is CancellationError:
            return error
        case let refused as RedisError where refused.code == "WRONGTYPE":
            return TaskiqError(
                .invalidResult,
                "\(doing): Redis key '\(key)' holds another type of value (not a string), so it is not a "
                    + "taskiq result; another program uses this key (a prefix_str keeps results apart)",
                underlying: refused)
        case let refused as RedisError:
            return TaskiqError(.resultBackend, "\(doing) at Redis key '\(key)'", underlying: refused)
        case let connection as RedisConnectionError where connection.code == .closedLocally:
            return TaskiqError(.shutDown, "\(doing): the Redis result backend was shut down", underlying: connection)
        default:
            return TaskiqError(.resultBackend, "\(doing) at Redis key '\(key)'", underlying: error)
        }
    }
}
