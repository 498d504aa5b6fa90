"""Simulated visitors: Streamlit's own websocket protocol (streamlit.proto messages), no browser.

A visitor loads the page over HTTP as a browser does (keeping the cookies a load balancer sets), opens a session
on /_stcore/stream with a link's query string, and then moves sliders (the explorer's live chart's by id, as its
JavaScript reports a release) or clicks buttons by their labels, each time
waiting until the script run finishes. It keeps what a browser keeps of the page: the elements by position, the
URL the app writes (sent back with every rerun, as a browser's address bar is), and any exception shown.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import time
import urllib.request
from dataclasses import dataclass

import websockets
from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
REPLICA_HEADER = "X-Relu-Viz-Replica"  # set by deploy/nginx.conf: the upstream that served a response


class VisitorError(RuntimeError):
    """The page showed an exception, the run failed, the connection closed or a step timed out."""


@dataclass(frozen=True)
class Element:
    kind: str  # the element's type in the protocol: slider, button, markdown, plotly_chart, exception, ...
    label: str
    id: str  # a widget's id ("" for other elements)
    fragment_id: str  # the fragment that drew it ("" outside fragments)
    text: str  # the body of markdown, headings, code, alerts and exceptions
    file: str = ""  # a download button's file, made on request (Streamlit's deferred file id)


def _element(msg: ForwardMsg) -> Element:
    new = msg.delta.new_element
    kind = new.WhichOneof("type") or ""
    proto = getattr(new, kind) if kind else None
    text = " ".join(str(getattr(proto, f, "")) for f in ("body", "message", "code_text") if hasattr(proto, f))
    return Element(kind, str(getattr(proto, "label", "")), str(getattr(proto, "id", "")), msg.delta.fragment_id,
                   text, getattr(proto, "deferred_file_id", ""))


class Visitor:
    """One simulated visitor of the app at `base` (http://host:port)."""

    def __init__(self, base: str, timeout: float = 300):
        self.base, self.timeout = base.rstrip("/"), timeout
        self.cookies = http.cookiejar.CookieJar()
        self.query = ""
        self.elements: dict[tuple[int, ...], Element] = {}
        self.replicas: list[str] = []  # the replica header of each response, where a load balancer sets it
        self.ws = None
        self.session_id = ""
        self.released = 0  # the live chart's releases so far (it numbers them)

    async def open(self, query: str = "") -> float:
        """Load the page and start a session with this query string; seconds until the page is finished."""
        start = time.perf_counter()
        await asyncio.to_thread(self._get, "/")
        headers = {"Origin": self.base}
        if cookie := "; ".join(f"{c.name}={c.value}" for c in self.cookies):
            headers["Cookie"] = cookie
        self.ws = await websockets.connect(self.base.replace("http", "ws", 1) + "/_stcore/stream",
                                           subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                                           open_timeout=self.timeout)
        if replica := self.ws.response.headers.get(REPLICA_HEADER):
            self.replicas.append(replica)
        self.query = query.lstrip("?")
        await self._rerun()
        return time.perf_counter() - start

    async def click(self, label: str) -> float:
        """Click the button with this label; seconds until the page is finished."""
        widget = self.widget("button", label)
        return await self._rerun(WidgetState(id=widget.id, trigger_value=True), widget.fragment_id)

    async def release(self, slider: str, value: float) -> float:
        """Let go of the live chart's slider `slider` (an id: "leaky_relu.negative_slope") at `value`, as
        ui/live_chart.js reports it: a trigger of the component; seconds until the page is finished."""
        chart = self.widget("bidi_component", "")
        self.released += 1
        state = WidgetState(id=f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{chart.id}{EVENT_DELIM}events")
        state.json_trigger_value = json.dumps({"event": "release", "value": {"seq": self.released,
                                                                            "values": {slider: value}}})
        return await self._rerun(state, chart.fragment_id)

    async def download(self, label: str) -> bytes:
        """Click the download button with this label: the server makes the file, the visitor fetches it."""
        msg = BackMsg()
        msg.backend_operation_request.request_id = label
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = self.widget("download_button", label).file
        await self.ws.send(msg.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
            if reply.WhichOneof("type") == "backend_operation_response":
                response = reply.backend_operation_response
                if response.error_msg:
                    raise VisitorError(f"the download failed: {response.error_msg}")
                return await asyncio.to_thread(self._get, response.deferred_file.url)

    def widget(self, kind: str, label: str) -> Element:
        found = [e for e in self.elements.values() if e.kind == kind and e.label == label]
        if not found:
            raise VisitorError(f"no {kind} labelled {label!r} on the page")
        return found[0]

    def texts(self) -> str:
        return "\n".join(e.text for e in self.elements.values())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _get(self, path: str) -> bytes:
        """An HTTP GET with this visitor's cookies, as its browser would send it."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        with opener.open(self.base + path, timeout=self.timeout) as response:
            if replica := response.headers.get(REPLICA_HEADER):
                self.replicas.append(replica)
            return response.read()

    async def _rerun(self, state: WidgetState | None = None, fragment_id: str = "") -> float:
        """Send a rerun as a browser does (the URL's query string, the changed widget) and wait for its end."""
        start = time.perf_counter()
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.fragment_id = fragment_id
        if state is not None:
            msg.rerun_script.widget_states.widgets.append(state)
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._until_finished(fragment=bool(fragment_id)), self.timeout)
        except TimeoutError:
            raise VisitorError(f"no finished page within {self.timeout:g} s") from None
        except websockets.ConnectionClosed as closed:
            raise VisitorError(f"the server closed the connection: {closed}") from None
        return time.perf_counter() - start

    async def _until_finished(self, fragment: bool) -> None:
        """Keep the page's elements up to date until the run ends (a fragment's run redraws only its own)."""
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id
                if not fragment:
                    self.elements.clear()
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = _element(msg)
                self.elements[tuple(msg.metadata.delta_path)] = element
                if element.kind == "exception":
                    raise VisitorError(f"the page shows an exception: {element.text[:300]}")
            elif kind == "script_finished":
                status = msg.script_finished
                if status in DONE:
                    return
                if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise VisitorError("the script failed to compile")
