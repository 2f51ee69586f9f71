/// An AMQP field table: named, typed values in wire order.
///
/// Order is kept (not a dictionary) so that a decoded table re-encodes byte for byte; RabbitMQ
/// compares declare arguments by value, and pamqp writes keys sorted, which ``sorted()`` gives.
package struct AMQPFieldTable: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// One name and its value.
    package struct Entry: Sendable, Equatable {
        /// The field name (a short string).
        package var key: String
        /// The typed value.
        package var value: AMQPFieldValue

        /// Creates an entry.
        package init(key: String, value: AMQPFieldValue) {
            self.key = key
            self.value = value
        }
    }

    /// The entries in wire order.
    package var entries: [Entry]

    /// A table of `entries`, in that order.
    package init(entries: [Entry] = []) { self.entries = entries }

    /// A table from a literal, in the literal's order.
    package init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    /// The value of the first entry named `key`.
    package subscript(key: String) -> AMQPFieldValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// Whether the table has no entries.
    package var isEmpty: Bool { entries.isEmpty }

    /// The same entries sorted by name, as pamqp writes them.
    package func sorted() -> AMQPFieldTable {
        AMQPFieldTable(entries: entries.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) })
    }
}
