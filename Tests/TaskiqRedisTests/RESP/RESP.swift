/// The namespace of the Redis protocol and client tests, so `swift test --filter RESP` runs them all.
enum RESP {}
