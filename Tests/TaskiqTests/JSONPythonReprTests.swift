import Testing

@testable import Taskiq

@Suite struct JSONPythonReprTests {
    /// Expected strings computed with CPython 3: `str(value)` for non-strings, `repr(value)` for strings.
    @Test(
        arguments: [
            (JSONValue.null, "None"),
            (true, "True"),
            (false, "False"),
            (0, "0"),
            (-5, "-5"),
            (2.5, "2.5"),
            (1e16, "1e+16"),
            (.double(.nan), "nan"),
            (.double(.infinity), "inf"),
            (.double(-.infinity), "-inf"),
            ("a", "'a'"),
            ("it's", #""it's""#),
            (#"say "hi""#, #"'say "hi"'"#),
            (#"both ' and ""#, #"'both \' and "'"#),
            ("tab\tnl\nret\r\\ bs", #"'tab\tnl\nret\r\\ bs'"#),
            ("\u{0}\u{7f}", #"'\x00\x7f'"#),
            ("é", "'é'"),
            ("😀", "'😀'"),
            ("\u{200b}", #"'\u200b'"#),
            ("\u{a0}", #"'\xa0'"#),
            ("\u{2028}", #"'\u2028'"#),
            ("\u{e000}", #"'\ue000'"#),
            ("\u{e0001}", #"'\U000e0001'"#),
            ([1, "a", nil], "[1, 'a', None]"),
            (["cron": "*/5 * * * *"], "{'cron': '*/5 * * * *'}"),
            ([["cron": "*/5 * * * *"]], "[{'cron': '*/5 * * * *'}]"),
            ([:], "{}"),
            ([], "[]"),
            (["a": [1.0, ["b": false]]], "{'a': [1.0, {'b': False}]}"),
        ] as [(JSONValue, String)])
    func matchesPython(value: JSONValue, expected: String) {
        #expect(value.pythonRepr == expected)
    }
}
