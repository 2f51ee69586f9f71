import TaskiqNATS
import Testing

@Suite struct NATSServerInfoTests {
    @Test func theKeysNatsServer2910Sends() throws {
        let json =
            #"{"server_id":"NDJWE4SHGZ7VJQXWIQNQ4OSNFBJRSOZBRRBLXQ3ZBTNZZKNPGYBFJ7UM","server_name":"n1","version":"2.9.10","proto":1,"go":"go1.19.4","host":"0.0.0.0","port":4222,"headers":true,"max_payload":1048576,"jetstream":true,"client_id":5,"client_ip":"127.0.0.1"}"#
        let info = try NATSServerInfo(json: Array(json.utf8))
        var expected = NATSServerInfo()
        expected.serverID = "NDJWE4SHGZ7VJQXWIQNQ4OSNFBJRSOZBRRBLXQ3ZBTNZZKNPGYBFJ7UM"
        expected.serverName = "n1"
        expected.version = "2.9.10"
        expected.proto = 1
        expected.host = "0.0.0.0"
        expected.port = 4222
        expected.headers = true
        expected.maxPayload = 1_048_576
        expected.jetstream = true
        expected.clientID = 5
        #expect(info == expected)
    }

    @Test func authenticationTLSClusterAndLameDuckKeys() throws {
        let json =
            #"{"auth_required":true,"tls_required":true,"tls_available":true,"nonce":"abc-DEF","connect_urls":["10.0.0.2:4222","[::1]:4222"],"ldm":true,"client_id":18446744073709551615,"max_payload":67108864}"#
        let info = try NATSServerInfo(json: Array(json.utf8))
        #expect(info.authRequired && info.tlsRequired && info.tlsAvailable && info.lameDuckMode)
        #expect(info.nonce == "abc-DEF")
        #expect(info.connectURLs == ["10.0.0.2:4222", "[::1]:4222"])
        #expect(info.clientID == .max)
        #expect(info.maxPayload == 64 << 20)
    }

    @Test func missingAndNullKeysGetDefaults() throws {
        let info = try NATSServerInfo(json: Array(#"{"nonce":null,"port":null,"unknown":{"nested":[1,2]}}"#.utf8))
        #expect(info == NATSServerInfo())
        #expect(info.maxPayload == 1_048_576)
        #expect(info.nonce == nil && info.clientID == nil)
    }

    @Test(arguments: [
        "",
        "[]",
        "\"INFO\"",
        "{",
        #"{"port":"4222"}"#,
        #"{"headers":1}"#,
        #"{"proto":1.5}"#,
        #"{"max_payload":99999999999999999999}"#,
        #"{"client_id":-1}"#,
        #"{"client_id":18446744073709551616}"#,
        #"{"connect_urls":"a:1"}"#,
        #"{"connect_urls":["a:1",2]}"#,
        #"{"server_id":5}"#,
    ])
    func badInfoIsMalformed(_ json: String) {
        let error = #expect(throws: NATSProtocolError.self) { try NATSServerInfo(json: Array(json.utf8)) }
        #expect(error?.code == .malformed)
    }
}
