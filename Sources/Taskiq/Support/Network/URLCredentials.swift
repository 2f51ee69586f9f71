/// Hides the credentials a URL can carry before it is printed or logged.
///
/// Every form the URL parsers accept is covered: `user:password@`, `:password@`, a lone
/// `secret@` (read as a password, as redis-py does), and query parameters named like a secret
/// (`?password=`, `?pass=`, `?token=`).
package enum URLCredentials {
    /// What replaces a secret.
    package static let mask = "***"

    /// The text with every credential replaced by ``mask``; text without `://` is returned unchanged.
    package static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        // The credentials end at the last '@' anywhere, as a password may hold an unescaped '/', '?' or '#'.
        let credentialsEnd = afterScheme.lastIndex(of: "@") ?? afterScheme.startIndex
        let authorityEnd = afterScheme[credentialsEnd...].firstIndex { $0 == "?" || $0 == "#" } ?? url.endIndex
        var result = String(url[..<schemeEnd.upperBound])
        let authority = url[schemeEnd.upperBound..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                result += userinfo[...colon] + mask
            } else {
                result += mask
            }
            result += authority[at...]
        } else {
            result += authority
        }
        guard authorityEnd < url.endIndex else { return result }
        let tail = url[authorityEnd...]
        guard tail.first == "?" else { return result + tail }
        let fragmentStart = tail.firstIndex(of: "#") ?? tail.endIndex
        let items = tail[tail.index(after: tail.startIndex)..<fragmentStart].split(separator: "&", omittingEmptySubsequences: false)
        result +=
            "?"
            + items.map { item in
                guard let equals = item.firstIndex(of: "="), isSecretParameter(item[..<equals]) else { return String(item) }
                return item[...equals] + mask
            }.joined(separator: "&")
        return result + tail[fragmentStart...]
    }

    /// Whether a query parameter's name looks like it holds a secret; a `…_file` parameter
    /// or redis-py's `…file` parameter holds a path (`key_file`, `ssl_keyfile`), which is shown.
    static func isSecretParameter(_ name: Substring) -> Bool {
        let lowered = name.lowercased()
        if lowered.hasSuffix("file") { return false }
        return ["pass", "pwd", "secret", "token", "auth", "credential", "key"].contains { lowered.contains($0) }
    }
}
