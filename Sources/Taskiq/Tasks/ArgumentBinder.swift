/// Maps a message's positional and keyword arguments onto a task's parameters, in order.
///
/// Positional arguments fill parameters first; keyword arguments fill the rest by declared name.
/// A missing argument is `null`, which only an optional parameter accepts.
struct ArgumentBinder {
    let taskName: String
    let message: TaskiqMessage
    let names: [String]
    let arity: Int
    let castTypes: Bool
    private(set) var index = 0
    /// The argument the last error was about, for ``ArgumentProblem``.
    private(set) var failedAt: ArgumentProblem.Location?

    init(taskName: String, message: TaskiqMessage, names: [String], arity: Int, castTypes: Bool) {
        self.taskName = taskName
        self.message = message
        self.names = names
        self.arity = arity
        self.castTypes = castTypes
    }

    /// Rejects argument lists that cannot fit the parameters at all.
    mutating func validate() throws(TaskiqError) {
        if message.args.count > arity {
            failedAt = .positional(arity)
            let given = message.args.count
            throw invalid("takes \(arity) argument\(arity == 1 ? "" : "s") but \(given) positional \(given == 1 ? "was" : "were") given")
        }
        for key in message.kwargs.keys {
            failedAt = .keyword(key)
            guard let position = names.firstIndex(of: key), position < arity else {
                let known = names.isEmpty ? "it declares no parameter names" : "its parameters are \(names.joined(separator: ", "))"
                throw invalid("got an unexpected keyword argument '\(key)' (\(known))")
            }
            if position < message.args.count {
                throw invalid("got multiple values for argument '\(key)' (positional \(position + 1) and keyword)")
            }
        }
    }

    /// Decodes the next parameter.
    mutating func next<T: Decodable>(_ type: T.Type) throws(TaskiqError) -> T {
        let position = index
        index += 1
        let name = position < names.count ? names[position] : nil
        // Built only for error messages: string interpolation on every argument showed in profiles.
        var label: String { name.map { "argument \(position + 1) ('\($0)')" } ?? "argument \(position + 1)" }
        let value: JSONValue
        if position < message.args.count {
            value = message.args[position]
            failedAt = .positional(position)
        } else if let name, let keyword = message.kwargs[name] {
            value = keyword
            failedAt = .keyword(name)
        } else {
            failedAt = .missing(position)
            do {
                return try JSONValue.null.decode(T.self, lax: castTypes)
            } catch {
                throw invalid("missing \(label) of type \(T.self)")
            }
        }
        do {
            return try value.decode(T.self, lax: castTypes)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Out of range (2**64 for Int) or not convertible: the decoder says which, and casting would not help.
            throw invalid("\(label) \(context.debugDescription)")
        } catch {
            throw invalid(
                "\(label) expected \(T.self), found \(value.typeName) \(value.excerpt())\(castTypes ? "" : " (cast_types is off)")")
        }
    }

    private func invalid(_ reason: String) -> TaskiqError {
        TaskiqError(.invalidArguments, "task '\(taskName)' \(reason)")
    }
}
