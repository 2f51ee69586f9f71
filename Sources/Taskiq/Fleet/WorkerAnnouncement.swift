/// What a Swift worker tells the other processes of its queue about itself: its runtime, host,
/// process and the tasks it runs, as JSON
/// (`{"runtime":"taskiq-swift","host":"web-1","pid":412,"tasks":["examples.add"]}`).
///
/// Python taskiq workers announce nothing: `check --fleet` uses that to tell them apart, since a
/// Python worker acknowledges and drops a task it does not know.
public struct WorkerAnnouncement: Sendable, Hashable {
    /// The runtime name Swift workers announce.
    public static let swiftRuntime = "taskiq-swift"

    /// Who runs the worker, `taskiq-swift` for this library.
    public var runtime: String
    /// The worker's host name.
    public var host: String
    /// The worker's process ID.
    public var pid: Int
    /// The names of the tasks it runs, sorted; `nil` when it did not say.
    public var tasks: [String]?

    /// Creates an announcement.
    public init(runtime: String = WorkerAnnouncement.swiftRuntime, host: String, pid: Int, tasks: [String]?) {
        self.runtime = runtime
        self.host = host
        self.pid = pid
        self.tasks = tasks?.sorted()
    }

    /// The JSON text stored for other processes to read.
    public var json: String {
        var object: JSONObject = ["runtime": .string(runtime), "host": .string(host), "pid": .int(pid)]
        if let tasks { object["tasks"] = .array(tasks.map { .string($0) }) }
        return JSONValue.object(object).description
    }

    /// Reads an announcement; also the `host pid N` text of workers before announcements had JSON
    /// (their tasks unknown). `nil` for anything else.
    public init?(parsing text: String) {
        if let value = try? JSONValue(parsing: text), case .object(let object) = value,
            let runtime = object["runtime"]?.stringValue, let host = object["host"]?.stringValue,
            let pid = object["pid"]?.intValue
        {
            let tasks = object["tasks"]?.arrayValue?.compactMap(\.stringValue)
            self.init(runtime: runtime, host: host, pid: pid, tasks: tasks)
            return
        }
        let words = text.split(separator: " ")
        guard words.count == 3, words[1] == "pid", let pid = Int(words[2]) else { return nil }
        self.init(host: String(words[0]), pid: pid, tasks: nil)
    }
}
