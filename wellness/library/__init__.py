"""The wellness library: short articles by topic, written by the coordinator in Markdown and
readable by anyone without signing in; nothing records who reads what."""
