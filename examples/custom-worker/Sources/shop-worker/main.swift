import ShopTasks
import Taskiq
import TaskiqConfig

// The standard component types plus the shop's own middleware, so taskiq.json can say
// {"type": "tagging", "label_value": "spring-sale"}; `check` validates its options and `schema`
// describes them like the built-in ones.
var registry = ComponentRegistry.standard
registry.register(middleware: "tagging", summary: "Adds one label to every message sent.", options: [
    .string("label_name", default: "tag", description: "The label's key."),
    .string("label_value", default: nil, required: true, description: "The label's value."),
]) { options in
    TaggingMiddleware(labelName: try options.string("label_name"), value: try options.string("label_value"))
}

await TaskiqRunner(modules: [ShopTasks.module], registry: registry, programName: "shop-worker").main()
