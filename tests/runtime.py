"""A real XBlock runtime for the tests: XBlock's own `Runtime` over an in-memory store.

It renders views, routes handler requests and records every published event, so that tests can
check the grade and completion a block publishes.
"""

import json

from webob import Request
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime


class RecordingRuntime(Runtime):
    """An XBlock runtime whose `publish` keeps the events for the test to read."""

    def __init__(self, store=None, id_manager=None, user_id="learner", services=None):
        self.store = store if store is not None else DictKeyValueStore()
        self.id_manager = id_manager or MemoryIdManager()
        super().__init__(self.id_manager, self.id_manager, services={
            "field-data": KvsFieldData(self.store), **(services or {})})
        self._deprecated_per_instance_user_id = user_id
        self.events = []

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{block.scope_ids.usage_id}/{handler_name}/{suffix}"

    def resource_url(self, resource):
        return f"/resource/{resource}"

    def local_resource_url(self, block, uri):
        return f"/local/{block.scope_ids.block_type}/{uri}"

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))

    def reopen(self, user_id="learner"):
        """A new runtime over the same stored state: what a page reload or server restart sees."""
        return RecordingRuntime(self.store, self.id_manager, user_id)


def call(block, handler, body, method="POST"):
    """Send `body` (a dict, or raw bytes/str) to a handler; return (status, parsed JSON)."""
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    request = Request.blank("/", method=method,
                            body=raw.encode("utf-8") if isinstance(raw, str) else raw)
    request.content_type = "application/json"
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)
