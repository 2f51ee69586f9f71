import Taskiq
import Testing

/// A domain of codes declared the way a user would add their own.
private struct QuotaError: Error {
    typealias Code = ErrorCode<QuotaError>
    var code: Code
}

extension ErrorCode where Domain == QuotaError {
    static var exhausted: Self { "exhausted" }
    static var suspended: Self { "suspended" }
}

/// The one open-set code shape every error type uses: codes are their names, compared by name
/// within one domain, and every spelling the per-type structs had still reads the same.
@Suite struct ErrorCodeTests {
    @Test func aCodeIsItsName() {
        let code = TaskiqError.Code.unsupported
        #expect(code.name == "unsupported")
        #expect(code.rawValue == "unsupported")
        #expect(code.description == "unsupported")
        #expect("\(code)" == "unsupported")
    }

    @Test func everyWayOfMakingACodeGivesTheSameCode() {
        let literal: ScheduleError.Code = "invalid_cron"
        #expect(ScheduleError.Code("invalid_cron") == .invalidCron)
        #expect(ScheduleError.Code(rawValue: "invalid_cron") == .invalidCron)
        #expect(literal == .invalidCron)
        #expect(ScheduleError.Code("invalid_cron").hashValue == ScheduleError.Code.invalidCron.hashValue)
        #expect(ScheduleError.Code("invalid_crons") != .invalidCron)
    }

    @Test func codesWorkAsSetMembersAndDictionaryKeys() {
        var counts: [MessageLimits.Limit: Int] = [:]
        for limit in [MessageLimits.Limit.depth, .labels, "max_depth"] { counts[limit, default: 0] += 1 }
        #expect(counts == [.depth: 2, .labels: 1])
        #expect(Set(MessageLimits.Limit.all).count == MessageLimits.Limit.all.count)
    }

    @Test func aUserDomainSwitchesLikeTheBuiltInOnes() {
        func reply(_ error: QuotaError) -> String {
            switch error.code {
            case .exhausted: "try tomorrow"
            case .suspended: "call us"
            default: "unknown (\(error.code))"
            }
        }
        #expect(reply(QuotaError(code: .exhausted)) == "try tomorrow")
        #expect(reply(QuotaError(code: .suspended)) == "call us")
        #expect(reply(QuotaError(code: "revoked")) == "unknown (revoked)")
    }

    /// Names that leave the process (dead-letter files and streams, log metadata, config keys)
    /// or that users match on: the move to one shape must not have changed any of them.
    @Test(arguments: [
        (DeadLetter.Reason.undecodable.name, "undecodable"),
        (DeadLetter.Reason.unknownTask.name, "unknown_task"),
        (DeadLetter.Reason.retriesExhausted.name, "retries_exhausted"),
        (DeadLetter.Reason.taskFailed.name, "task_failed"),
        (DeadLetter.Reason.deliveryLimit.name, "delivery_limit"),
        (DeadLetter.Reason.limitExceeded.name, "limit_exceeded"),
        (MessageLimits.Limit.messageSize.name, "max_message_size"),
        (MessageLimits.Limit.depth.name, "max_depth"),
        (MessageLimits.Limit.arguments.name, "max_arguments"),
        (MessageLimits.Limit.labels.name, "max_labels"),
        (MessageLimits.Limit.labelKeySize.name, "max_label_key_size"),
        (MessageLimits.Limit.labelValueSize.name, "max_label_value_size"),
        (TaskiqError.Code.invalidMessage.name, "invalid_message"),
        (TaskiqError.Code.logFile.name, "log_file"),
        (JSONParseError.Code.controlCharacterInString.rawValue, "controlCharacterInString"),
        (CronExpressionError.Code.fieldCount.name, "field_count"),
        (DurationRangeError.Code.tooLong.name, "too_long"),
        (ScheduleError.Code.invalidTimeZone.name, "invalid_time_zone"),
    ])
    func namesAreUnchanged(_ pair: (String, String)) {
        #expect(pair.0 == pair.1)
    }

    @Test func theLimitsAreListedInTheOrderTheyAreChecked() {
        #expect(
            MessageLimits.Limit.all.map(\.name) == [
                "max_message_size", "max_depth", "max_arguments", "max_labels", "max_label_key_size",
                "max_label_value_size",
            ])
    }
}
