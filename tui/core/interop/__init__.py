"""Other tools' files: OPML and newsboat ``urls`` subscription lists, read and written
(``opml``)."""
