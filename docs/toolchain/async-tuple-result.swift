// The smallest program that shows the Swift 6.3 async tuple-result fault (docs/toolchain/async-tuple-result.md).
// Run: scripts/check-toolchain.sh, or: swiftc -O -parse-as-library docs/toolchain/async-tuple-result.swift -o /tmp/t && /tmp/t
// A correct toolchain prints "0 of 200" on every line.
struct Refused: Error {}

@inline(never) func send(_ index: Int) async throws -> String {
    await Task.yield()
    if !index.isMultiple(of: 2) { throw Refused() }
    return "reply \(index)"
}

@main struct Probe {
    static func main() async {
        // A child task returns (index, Result) straight from do/catch.
        let pairs = await withTaskGroup(of: (Int, Result<String, any Error>).self) { group in
            for index in 0..<200 {
                group.addTask {
                    do { return (index, .success(try await send(index))) } catch { return (index, .failure(error)) }
                }
            }
            var all: [(Int, Result<String, any Error>)] = []
            for await pair in group { all.append(pair) }
            return all
        }
        let wrong = pairs.filter { pair in (try? pair.1.get()).map { $0 != "reply \(pair.0)" } ?? false }
        print("task group, tuple from do/catch: \(wrong.count) of \(pairs.count) wrong")

        // The same with the Result bound to a local first (the workaround).
        var wrongBound = 0
        for index in 0..<200 {
            let pair = await Task { () async -> (Int, Result<String, any Error>) in
                let result: Result<String, any Error>
                do { result = .success(try await send(index)) } catch { result = .failure(error) }
                return (index, result)
            }.value
            if pair.0 != index { wrongBound += 1 }
        }
        print("Task, Result bound to a local first: \(wrongBound) of 200 wrong")
    }
}
