"""A script's shape: timing structure compared across languages, words ignored."""

from script_markup import PATH, at

from mbcl_audio.script import parse_text
from mbcl_audio.script.shape import script_shape, shape_difference


def _script(body: str, language: str = "en", path: str = PATH):
    head = f'+++\ntrack = 1\ntitle = "T"\nlanguage = "{language}"\nlength = "5m"\n+++\n'
    return parse_text(head + body, path)


BODY = """# One

Hello there. … Breathe.

Second paragraph.

[pause 3s..9s prefer=4s]

[optional 2 more]
More words.

[silence 1m..3m every=60s]
> Back.
> Again.
[end optional]

[pacing on]
[breath-locked x2] May I | be well.
[breathe 2]
[pacing fade 3]
"""


def test_shape_lists_timing_steps_and_collapses_speech_runs():
    kinds = [(s.kind, s.timing) for s in script_shape(_script(BODY))]
    assert kinds == [
        ("section", ()),
        ("speech", ()),  # two paragraphs, an ellipsis and a paragraph pause: one run
        ("pause", (3.0, 9.0, 4.0, 1.0, None, 0)),
        ("optional", (2,)),
        ("speech", ()),
        ("silence", (60.0, 180.0, None, 1.0, 60.0, 2)),
        ("end optional", ()),
        ("pacing on", (0, None, None, None, None, None)),
        ("breath-locked", (2, 0.0, 0.0)),
        ("breathe", (2,)),
        ("pacing fade", (3, None, None, None, None, None)),
    ]


def test_other_words_paragraphs_and_ellipses_keep_the_shape():
    other = BODY.replace("Hello there. … Breathe.\n\nSecond paragraph.", "Hallo … daar … adem.").replace(
        "May I | be well.", "Moge ik | gezond zijn."
    )
    assert shape_difference(_script(other, "nl"), _script(BODY)) is None


def test_a_different_bound_is_found_at_its_line():
    other = BODY.replace("[pause 3s..9s prefer=4s]", "[pause 3s..10s prefer=4s]")
    pos, message = shape_difference(_script(other, "nl", "o.txt"), _script(BODY))
    assert pos == at(13, 1, "o.txt")
    assert message == "step 3 is 'pause 3 10 4 1 - 0' where t.txt:13:1 has 'pause 3 9 4 1 - 0'"


def test_a_missing_prompt_or_priority_or_step_is_found():
    one_prompt = BODY.replace("> Again.\n", "")
    assert "silence 60 180 - 1 60 1" in shape_difference(_script(one_prompt), _script(BODY))[1]
    priority = BODY.replace("[optional 2 more]", "[optional 1 more]")
    assert "'optional 1'" in shape_difference(_script(priority), _script(BODY))[1]
    shorter = BODY.replace("[breathe 2]\n", "")
    pos, message = shape_difference(_script(shorter), _script(BODY))
    assert message == "step 10 is 'pacing fade 3 - - - - -' where t.txt:25:1 has 'breathe 2'"
    longer = BODY + "\nThe end.\n"
    pos, message = shape_difference(_script(longer), _script(BODY))
    assert pos == at(28, 1) and message.startswith("'speech' and what follows has no counterpart")
    pos, message = shape_difference(_script(BODY), _script(longer))
    assert pos == at(26, 1) and message == "the shape ends here, but t.txt:28:1 goes on with 'speech'"
