import Foundation
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension RESP {
    @Suite struct RESPCommandEncoderTests {
        static func encode(_ arguments: [any RESPArgument]) -> String {
            var encoder = RESPCommandEncoder()
            encoder.encode(arguments)
            return String(decoding: encoder.bytes, as: UTF8.self)
        }

        @Test func commandsAreArraysOfBulkStrings() {
            #expect(Self.encode(["PING"]) == "*1\r\n$4\r\nPING\r\n")
            #expect(Self.encode(["SET", "k", "v"]) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
            #expect(Self.encode(["EXPIRE", "k", 600]) == "*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$3\r\n600\r\n")
            #expect(Self.encode(["X", -12, 0, Int64.min]) == "*4\r\n$1\r\nX\r\n$3\r\n-12\r\n$1\r\n0\r\n$20\r\n-9223372036854775808\r\n")
            #expect(Self.encode(["BRPOP", "q", 1.5]) == "*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$3\r\n1.5\r\n")
            #expect(Self.encode(["Z", Double.infinity, -Double.infinity]) == "*3\r\n$1\r\nZ\r\n$3\r\ninf\r\n$4\r\n-inf\r\n")
            #expect(Self.encode(["SET", "ключ", ""]) == "*3\r\n$3\r\nSET\r\n$8\r\nключ\r\n$0\r\n\r\n")
        }

        @Test func binaryArgumentsAreSentVerbatim() {
            var encoder = RESPCommandEncoder()
            let value: [UInt8] = [0, 13, 10, 255, 36]
            encoder.encode(["SET", Substring("key"), value, Data([1, 2]), value[1...2]])
            #expect(
                encoder.bytes == Array("*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\n".utf8) + value + Array("\r\n$2\r\n".utf8)
                    + [1, 2] + Array("\r\n$2\r\n\r\n\r\n".utf8))
        }

        @Test func pipelinedCommandsShareTheBufferAndItsStorageIsReused() {
            var encoder = RESPCommandEncoder(capacity: 64)
            encoder.encode(["GET", "a"])
            encoder.encode(["GET", "b"])
            #expect(String(decoding: encoder.bytes, as: UTF8.self) == "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n")
            var spare: [UInt8] = [9, 9]
            encoder.swapBytes(with: &spare)
            #expect(encoder.bytes.isEmpty)
            #expect(spare.count == 40)
            encoder.encode(["PING"])
            #expect(encoder.bytes == Array("*1\r\n$4\r\nPING\r\n".utf8))
        }

        @Test func errorRepliesSplitIntoCodeAndMessage() {
            #expect(
                RedisError(reply: "WRONGTYPE Operation against a key holding the wrong kind of value")
                    == RedisError(code: "WRONGTYPE", message: "Operation against a key holding the wrong kind of value"))
            #expect(RedisError(reply: "unknown failure").code == "ERR")
            #expect(RedisError(reply: "NOAUTH").message == "")
            #expect(RESPValue.simpleError("BUSYGROUP Consumer Group name already exists").redisError?.code == "BUSYGROUP")
        }
    }
}
