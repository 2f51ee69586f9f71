extension TaskiqSystem {
    /// The broker `--broker` names, checked against the configuration; the main one when absent.
    /// - Parameters:
    ///   - name: The value of `--broker`, if given.
    ///   - command: The command, for the error.
    /// - Throws: ``CommandLineError`` naming the closest declared broker and every declared one.
    func brokerName(forOption name: String?, command: String) throws(CommandLineError) -> String {
        let name = name ?? TaskiqConfiguration.defaultBrokerName
        guard brokerNames.contains(name) else {
            var message = "unknown broker '\(name)' for '--broker'"
            if let match = closestMatch(to: name, in: brokerNames) { message += "; did you mean '\(match)'?" }
            message += "; \(configuration.file) declares: \(brokerNames.joined(separator: ", "))"
            throw CommandLineError(code: .invalidValue, command: command, argument: name, message: message)
        }
        return name
    }
}
