import Testing

@testable import Taskiq

/// The path helpers that replaced `NSString`'s `deletingLastPathComponent` and
/// `appendingPathComponent`.
@Suite struct FileSystemPathTests {
    @Test(arguments: [
        ("a/b/c.json", "a/b"), ("c.json", ""), ("/c.json", "/"), ("/a/c.json", "/a"), ("a/b/", "a"),
        ("a//c.json", "a"), ("/", "/"), ("", ""), ("./c.json", "."),
    ])
    func directory(of path: String, expected: String) {
        #expect(FileSystem.directory(of: path) == expected)
    }

    @Test(arguments: [("name", "dir", "dir/name"), ("name", "dir/", "dir/name"), ("name", "", "name"), ("name", "/", "/name")])
    func path(name: String, directory: String, expected: String) {
        #expect(FileSystem.path(name, in: directory) == expected)
    }
}
