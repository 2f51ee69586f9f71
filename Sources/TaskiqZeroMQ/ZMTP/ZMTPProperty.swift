import Taskiq

/// One metadata property of a READY command, such as `Socket-Type` or `Identity`.
package struct ZMTPProperty: Sendable, Hashable {
    /// The property name; libzmq compares names case-sensitively.
    package var name: String
    /// The raw value bytes.
    package var value: [UInt8]

    package init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    package init(name: String, value: String) {
        self.init(name: name, value: Array(value.utf8))
    }

    static let socketType = "Socket-Type"
    static let identity = "Identity"
}

extension [ZMTPProperty] {
    /// The value of the first property named `name`, compared case-sensitively as libzmq does.
    package func value(named name: String) -> [UInt8]? {
        first { $0.name == name }?.value
    }
}
