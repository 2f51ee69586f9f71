"""Python taskiq-redis peer with taskiq's OpenTelemetryMiddleware, for the Swift tracing interop tests.

Environment: REDIS_URL; OTEL_QUEUE (the stream this broker kicks to and reads, default "taskiq");
OTEL_SPANS_FILE (every finished span is appended to it as one JSON line, opentelemetry-sdk's
`ReadableSpan.to_json`); OTEL_SERVICE_NAME.

Worker:   taskiq worker otel_tasks:broker --workers 1   (OTEL_QUEUE=otel_followup)
Producer: otel_kick.py
"""
import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from taskiq.middlewares.opentelemetry_middleware import OpenTelemetryMiddleware
from taskiq_redis import RedisStreamBroker

SPANS_FILE = os.environ["OTEL_SPANS_FILE"]


class FileSpanExporter(SpanExporter):
    """Appends each span as one JSON line; opened per export so worker processes can share the file."""

    def export(self, spans):
        with open(SPANS_FILE, "a", encoding="utf-8") as out:
            for span in spans:
                out.write(span.to_json(indent=None) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self):
        pass


provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "python")}))
provider.add_span_processor(SimpleSpanProcessor(FileSpanExporter()))
trace.set_tracer_provider(provider)

broker = RedisStreamBroker(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
                           queue_name=os.environ.get("OTEL_QUEUE", "taskiq"))
broker.add_middlewares(OpenTelemetryMiddleware())


@broker.task(task_name="examples.add")
async def add(a: int, b: int) -> int:
    return a + b
