/// Stops the fuzzer when an invariant of the code under test fails.
///
/// A trap is what libFuzzer records as a crash, so the input that broke the invariant is saved
/// next to the inputs that crash outright. The library itself never traps on input: these
/// checks live only in the harnesses.
func expect(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("fuzz invariant failed: \(message())", file: file, line: line) }
}

/// The fuzzer's input as an array; libFuzzer may pass a null pointer for an empty input.
func fuzzBytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: start, count: count))
}
