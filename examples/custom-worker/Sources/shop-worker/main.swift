import ShopTasks
import Taskiq
import TaskiqConfig

// The standard component types plus the shop's own middleware, so taskiq.json can say
// {"type": "tagging", "label_value": "spring-sale"}; `check` validates its options and `schema`
// describes them like the built-in ones.
// Each option is declared once, as a typed key that the factory reads back.
let labelName = Option<String>.string("label_name", default: "tag", description: "The label's key.")
let labelValue = Option<String>.requiredString("label_value", description: "The label's value.")
var registry = ComponentRegistry.standard
registry.register(
    middleware: "tagging", summary: "Adds one label to every message sent.",
    options: [labelName, labelValue]
) { options in
    TaggingMiddleware(labelName: try options[labelName], value: try options[labelValue])
}

await TaskiqRunner(modules: [ShopTasks.module], registry: registry, programName: "shop-worker").main()
