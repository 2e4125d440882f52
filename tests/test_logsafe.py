from wellness.logsafe import describe_exception


def test_describes_where_without_the_message():
    try:
        raise ValueError("Officer Jordan Lee wrote: I can't sleep")
    except ValueError as exc:
        text = describe_exception(exc)
    assert text.startswith("builtins.ValueError; at ")
    assert "test_logsafe.py" in text
    assert "test_describes_where_without_the_message" in text
    assert "Jordan" not in text
    assert "sleep" not in text
