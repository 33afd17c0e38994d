"""Chat pane: the conversation (question, tool calls, streamed answer) with the input at the bottom."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Input, Static


class ChatEntry(Vertical, can_focus=True):
    """One question and its answer. Focusing or clicking it shows its evidence.

    The entry keeps its own state (text, tool lines, footer), so it can be filled before or after it
    is mounted (history entries are finished at once; live ones stream).
    """

    @dataclass
    class Selected(Message):
        answer_id: int

    def __init__(self, answer_id: int, question: str) -> None:
        super().__init__(classes="entry", id=f"entry-{answer_id}")
        self.answer_id = answer_id
        self.question = question
        self.text = ""
        self.footer = ""
        self.tool_lines: list[str] = []
        self.error = False
        self.done = False

    def compose(self) -> ComposeResult:
        yield Static(f"› {self.question}", classes="question", markup=False)
        with Collapsible(title=self._tools_title(), collapsed=True, classes="tools"):
            yield Vertical(*[Static(line, classes="tool-line", markup=False) for line in self.tool_lines],
                           classes="tool-lines")
        yield Static(self.text or "thinking…", classes="answer" if self.text else "answer pending", markup=False)
        yield Static(self.footer, classes="answer-footer", markup=False)

    def on_mount(self) -> None:
        self._sync()

    def _tools_title(self) -> str:
        n = len(self.tool_lines)
        return f"{n} tool call{'s' if n != 1 else ''}"

    def _sync(self) -> None:
        if not self.is_mounted:
            return
        tools = self.query_one(".tools", Collapsible)
        tools.display = bool(self.tool_lines)
        tools.title = self._tools_title()
        answer = self.query_one(".answer", Static)
        answer.set_class(not self.text and not self.done, "pending")
        answer.set_class(self.error, "error")
        answer.update(self.text or ("thinking…" if not self.done else ""))
        foot = self.query_one(".answer-footer", Static)
        foot.update(self.footer)
        foot.display = bool(self.footer)

    def set_text(self, text: str) -> None:
        self.text = text
        self._sync()

    def add_tool_call(self, line: str) -> None:
        self.tool_lines.append(line)
        if self.is_mounted:
            self.query_one(".tool-lines", Vertical).mount(Static(line, classes="tool-line", markup=False))
        self._sync()

    def finish(self, text: str, footer: str, tool_lines: list[str], error: bool = False) -> None:
        """The final answer; tool calls not already streamed are added from the result."""
        for line in tool_lines[len(self.tool_lines):]:
            self.add_tool_call(line)
        self.text, self.footer, self.error, self.done = text, footer, error, True
        self._sync()

    def on_focus(self) -> None:
        self.post_message(self.Selected(self.answer_id))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.answer_id))


class ChatPane(Vertical):
    """The log of entries above the question input."""

    BORDER_TITLE = "Chat"

    @dataclass
    class QuestionSubmitted(Message):
        question: str

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="chat-log"):
            yield Static("Ask about your videos, e.g. “when does he say ask not what your country can do "
                         "for you”. Answers cite video @ mm:ss; their evidence shows below.",
                         id="chat-hint", markup=False)
        yield Input(placeholder="Ask about your videos…  (enter to send)", id="question")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        question = event.value.strip()
        if question:
            event.input.value = ""
            self.post_message(self.QuestionSubmitted(question))

    def add_entry(self, answer_id: int, question: str) -> ChatEntry:
        self.query_one("#chat-hint").display = False
        entry = ChatEntry(answer_id, question)
        log = self.query_one("#chat-log", VerticalScroll)
        log.mount(entry)
        log.call_after_refresh(log.scroll_end, animate=False)
        return entry

    def entry(self, answer_id: int) -> ChatEntry | None:
        for e in self.query(ChatEntry):
            if e.answer_id == answer_id:
                return e
        return None

    def entries(self) -> list[ChatEntry]:
        return list(self.query(ChatEntry))

    def mark_selected(self, answer_id: int) -> None:
        for e in self.query(ChatEntry):
            e.set_class(e.answer_id == answer_id, "selected")
        sel = self.entry(answer_id)
        if sel is not None:
            self.query_one("#chat-log", VerticalScroll).scroll_to_widget(sel, animate=False)

    def follow(self) -> None:
        """Keep the newest text in view while an answer streams."""
        log = self.query_one("#chat-log", VerticalScroll)
        if log.max_scroll_y - log.scroll_y < 4:
            log.scroll_end(animate=False)

    def clear(self) -> None:
        for e in self.query(ChatEntry):
            e.remove()
        self.query_one("#chat-hint").display = True
