import Taskiq

/// How the text of an option becomes a typed value, and how a default is shown in help.
///
/// A value that does not parse is reported as `'--tasks' expects an integer, found 'x'`; one that
/// parses but fails a ``constrained(_:quotingFound:_:)`` check as `'--tasks' expects a positive
/// integer, found 0`.
public struct OptionValue<Value: Sendable>: Sendable {
    /// What a valid value is, for errors: `an integer`.
    public var expectation: String
    let parse: @Sendable (String) -> Value?
    let describe: @Sendable (Value) -> String?
    let constraint: Constraint?

    struct Constraint: Sendable {
        var expectation: String
        var quotesFound: Bool
        var accepts: @Sendable (Value) -> Bool
    }

    /// Creates a value type.
    /// - Parameters:
    ///   - expectation: What a valid value is, for errors, such as `an integer`.
    ///   - describe: The value as help shows a default; `nil` shows none.
    ///   - parse: The value of a text, or `nil` when it is not one.
    public init(
        expectation: String, describe: @escaping @Sendable (Value) -> String? = { "\($0)" },
        parse: @escaping @Sendable (String) -> Value?
    ) {
        self.init(expectation: expectation, parse: parse, describe: describe, constraint: nil)
    }

    private init(
        expectation: String, parse: @escaping @Sendable (String) -> Value?,
        describe: @escaping @Sendable (Value) -> String?, constraint: Constraint?
    ) {
        self.expectation = expectation
        self.parse = parse
        self.describe = describe
        self.constraint = constraint
    }

    /// The same values, narrowed by a check that a parsed value must pass.
    /// - Parameters:
    ///   - expectation: What a valid value is, for errors, such as `a positive integer`.
    ///   - quotingFound: Whether the error quotes the text found (`found '0'`) or not (`found 0`).
    ///   - accepts: Whether a parsed value is valid.
    public func constrained(
        _ expectation: String, quotingFound: Bool = true,
        _ accepts: @escaping @Sendable (Value) -> Bool
    ) -> OptionValue {
        OptionValue(
            expectation: self.expectation, parse: parse, describe: describe,
            constraint: Constraint(expectation: expectation, quotesFound: quotingFound, accepts: accepts))
    }

    /// The value of `text` given to `option`, or the error that names both.
    func value(of text: String, option: String, command: String) throws(CommandLineError) -> Value {
        guard let value = parse(text) else {
            throw CommandLineError(
                code: .invalidValue, command: command, argument: text,
                message: "'--\(option)' expects \(expectation), found '\(text)'")
        }
        if let constraint, !constraint.accepts(value) {
            let found = constraint.quotesFound ? "'\(text)'" : text
            throw CommandLineError(
                code: .invalidValue, command: command, argument: text,
                message: "'--\(option)' expects \(constraint.expectation), found \(found)")
        }
        return value
    }
}

extension OptionValue where Value == String {
    /// Any text.
    public static var string: OptionValue { OptionValue(expectation: "a string") { $0 } }
}

extension OptionValue where Value == Int {
    /// An integer.
    public static var integer: OptionValue { OptionValue(expectation: "an integer") { Int($0) } }
    /// An integer above zero.
    public static var positiveInteger: OptionValue {
        integer.constrained("a positive integer", quotingFound: false) { $0 > 0 }
    }
    /// An integer of zero or more.
    public static var nonNegativeInteger: OptionValue {
        integer.constrained("a non-negative integer", quotingFound: false) { $0 >= 0 }
    }
}

extension OptionValue where Value == Double {
    /// A finite number (`1e400`, which reads as infinity, and `inf` are refused as not finite).
    public static var number: OptionValue {
        OptionValue(expectation: "a finite number", describe: { Self.shortest($0) }) { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    /// `60` rather than `60.0`.
    static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension OptionValue where Value == Duration {
    /// A number of seconds, above zero (or zero too) and at most
    /// ``/Taskiq/Swift/Duration/maximumCheckedSeconds``.
    /// - Parameter allowZero: Whether `0` is valid.
    public static func seconds(allowZero: Bool = false) -> OptionValue {
        OptionValue(
            expectation: "\(allowZero ? "a non-negative" : "a positive") number of seconds up to \(Int(Duration.maximumCheckedSeconds))",
            describe: { OptionValue<Double>.shortest($0.inSeconds) }
        ) { text in
            guard let value = Double(text), value > 0 || (allowZero && value == 0) else { return nil }
            return try? Duration.checkedSeconds(value, of: "")
        }
    }
}

extension OptionValue where Value == Duration? {
    /// A non-negative number of seconds where `0` means none.
    public static var secondsOrZeroForNone: OptionValue {
        let seconds = OptionValue<Duration>.seconds(allowZero: true)
        return OptionValue(expectation: seconds.expectation, describe: { OptionValue<Double>.shortest($0?.inSeconds ?? 0) }) { text in
            seconds.parse(text).map { $0 == .zero ? nil : $0 }
        }
    }
}

extension OptionValue where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of the cases, by raw value; the error lists them as `a, b or c`.
    public static var choice: OptionValue {
        let names = Value.allCases.map(\.rawValue)
        let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
        return OptionValue(expectation: listed, describe: { $0.rawValue }) { Value(rawValue: $0) }
    }
}
