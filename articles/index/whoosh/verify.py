"""Reading a Whoosh index through, to find damage a search would stumble on.

``problems`` opens every segment, reads each stored document's key (a truncated or
overwritten stored-fields file shows) and checks that every term's postings lie within the
postings file (a truncated one, which searches meet as "Block tag error", shows); with
``deep``, it also reads every posting and every document's field lengths. A problem names
the segment and the error; the fix is a rebuild. At 2,000 articles: ~1 s, deep ~2 s.
"""

from haystack.constants import ID
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader


def problems(path, schema, deep=False):
    """What is wrong with the Whoosh index in ``path`` (an empty list if nothing)."""
    storage = FileStorage(str(path))
    try:
        index = storage.open_index(schema=schema)
        segments = index._segments()
    except Exception as exc:
        return [f"the index cannot be opened ({type(exc).__name__}: {exc})"]
    found = []
    for segment in segments:
        try:
            _read_segment(storage, index.schema, segment, deep)
        except Exception as exc:
            found.append(f"segment {segment.segment_id()}: {type(exc).__name__}: {exc}")
    return found


def _read_segment(storage, schema, segment, deep):
    reader = SegmentReader(storage, schema, segment)
    try:
        for docnum in reader.all_doc_ids():
            if ID not in reader.stored_fields(docnum):
                raise ValueError(f"document {docnum} has no key")
        postings_size = storage.file_length(segment.make_filename(W3Codec.POSTS_EXT))
        for fieldname, text in reader.all_terms():
            end = _postings_end(reader.term_info(fieldname, text))
            if end > postings_size:
                raise ValueError(
                    f"the postings of {fieldname}:{text!r} end at byte {end:,}, beyond the "
                    f"postings file ({postings_size:,} bytes): it is truncated"
                )
        if deep:
            for fieldname, text in reader.all_terms():
                for _ in reader.postings(fieldname, text).all_ids():
                    pass
            scorable = [name for name, field in schema.items() if field.scorable]
            for docnum in reader.all_doc_ids():
                for name in scorable:
                    reader.doc_field_length(docnum, name)
    finally:
        reader.close()


def _postings_end(info):
    """Where a term's postings end in the postings file (0 when they are inlined in the term)."""
    if getattr(info, "_inlined", None) is not None:
        return 0
    length = info._length[0] if isinstance(info._length, tuple) else info._length
    return info._offset + length
