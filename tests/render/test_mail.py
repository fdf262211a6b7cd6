"""The mailing-list copy: an mbox message that parses back, wraps at 72 columns and holds the post's figures."""

from __future__ import annotations

import json
import mailbox
import re
import subprocess
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from kernelrepo import CONFIG, report_2023

from reporter.render.mail import WIDTH, wrap

NUMBER = re.compile(r"\d[\d,.]*\d%?|\d%?")


def parsed(out: Path) -> EmailMessage:
    box = mailbox.mbox(out / "2023.mbox", create=False)
    assert len(box) == 1
    message = BytesParser(policy=policy.default).parsebytes(box.get_bytes(0))
    assert isinstance(message, EmailMessage)
    return message


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


def section(kernel: Path, ref: str, title: str) -> list[str]:
    text = subprocess.run(
        ["git", "-C", str(kernel), "show", f"{ref}:MAINTAINERS"], capture_output=True, text=True, check=True
    ).stdout
    return text.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0].splitlines()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, kernel_repo: Path, tool_repo: Path) -> Path:
    return report_2023(tmp_path_factory.mktemp("mail"), kernel_repo, tool_repo)


def test_headers_from_the_title_and_the_section(out: Path, kernel_repo: Path) -> None:
    message = parsed(out)
    assert message["Subject"] == "Looking back on DAMON development in 2023"
    refs = json.loads((out / "2023.json").read_text())["stats"]["kernel"]["refs"]
    entries = section(kernel_repo, refs[-1], "DATA ACCESS MONITOR")
    lists = [line.split()[1] for line in entries if line.startswith("L:")]
    maintainers = [line.partition("\t")[2] for line in entries if line.startswith("M:")]
    assert lists and [a.addr_spec for a in message["To"].addresses] == lists
    assert str(message["From"]) == maintainers[0]
    assert message.get_content_type() == "text/plain"
    assert message["Content-Transfer-Encoding"] == "8bit"


def test_lines_wrap_at_72_except_command_output(out: Path) -> None:
    body = body_of(parsed(out))
    post_lines = set((out / "2023.md").read_text().splitlines())
    long = [line for line in body.splitlines() if len(line) > WIDTH]
    assert long  # the command lines of the blocks are longer
    for line in long:
        preformatted = line.startswith("    ") and line in post_lines
        one_word = len(line.split()) == 1
        assert preformatted or one_word, line
    assert "```" not in body and "<https://" not in body and "\\" not in body  # no markup
    assert "Per-release Chart" not in body and "xychart" not in body
    assert re.search(r"\nReferences\n==========\n\n(\[\d+\] .*\n(    \S+\n)?)+$", body + "\n")


def test_every_figure_equals_the_posts(out: Path) -> None:
    post = (out / "2023.md").read_text().split("+++\n", 2)[2]
    # The chart (a picture) is left out of the mail; it is the last section before the conclusion.
    post = re.sub(r"Per-release Chart\n.*?(?=Conclusion\n)", "", post, flags=re.S)
    body = body_of(parsed(out))
    assert Counter(NUMBER.findall(body)) == Counter(NUMBER.findall(post))
    assert len(NUMBER.findall(body)) > 100


def test_configured_addresses_stay_data(tmp_path: Path, kernel_repo: Path, tool_repo: Path) -> None:
    config = CONFIG.replace(
        "  cc: []\n",
        '  from: "Thomas Weißschuh <linux@weissschuh.net>"\n'
        '  to: ["list@example.org\\nBcc: evil@example.com"]\n'
        '  cc: ["Zoë <zoe@example.org>"]\n',
    )
    message = parsed(report_2023(tmp_path, kernel_repo, tool_repo, config))
    assert str(message["From"]) == "Thomas Weißschuh <linux@weissschuh.net>"
    assert message["Bcc"] is None and "evil" not in message["To"].addresses[0].addr_spec
    assert str(message["Cc"]) == "Zoë <zoe@example.org>"


def test_wrap_keeps_blocks_headings_and_hangs_items() -> None:
    words = " ".join(["word"] * 30)
    text = f"Title\n=====\n\n{words}.\nNext.\n\n    $ {words}\n\n- {words}\n[12] {words}\n\nThanks,\x00\nSJ"
    wrapped = wrap(text)
    lines = wrapped.split("\n")
    assert lines[:3] == ["Title", "=====", ""]
    assert all(len(line) <= WIDTH for line in lines if not line.startswith("    $"))
    assert f"    $ {words}" in lines
    assert re.search(r"word\.(  |\n)Next\.", wrapped)  # a sentence ending a line ends with two spaces
    item = lines.index(next(line for line in lines if line.startswith("- ")))
    assert lines[item + 1].startswith("  word")
    ref = lines.index(next(line for line in lines if line.startswith("[12] ")))
    assert lines[ref + 1].startswith("     word")
    assert lines[-2:] == ["Thanks,", "SJ"]
