"""Chinese text without models: sentences end at 。！？ (no space needed), a title line is a
sentence of its own, passages are sized for the embedding model, character pairs match."""
from core.retrieval.search import shared_pairs
from core.text.documents import CHUNK_CHARS_CJK, chunk_document, document_from_text
from core.text.language import cjk_share
from core.text.sentences import split_sentences
from tests.fixtures.chinese import ARTICLE, SENTENCES


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_chinese_sentences_end_at_the_chinese_marks():
    found = sentences(ARTICLE)
    assert len(found) == SENTENCES
    assert found[0] == "城市公交换上电动车"  # the title
    assert found[3] == "乘客普遍反映车厢更安静，空气也更干净！"
    assert found[8] == "还有人问：夜间充电会不会让电网负担过重？"
    assert all(s[-1] in "。！？" for s in found[1:])


def test_a_chinese_title_directly_above_its_text_is_a_sentence_of_its_own():
    assert sentences("电动公交车上路\n这座城市换了新车。乘客很满意。") == [
        "电动公交车上路", "这座城市换了新车。", "乘客很满意。"]


def test_a_wrapped_line_of_chinese_prose_is_not_taken_for_a_title():
    text = "这座城市计划在二零三零年前，把全部柴油公交车\n换成电动公交车。"
    assert sentences(text) == [text]


def test_chinese_passages_fit_the_embedding_model():
    assert cjk_share(ARTICLE) > 0.9 and cjk_share("The capital of France") == 0
    chunks = chunk_document(document_from_text(ARTICLE, "公交.txt"))
    assert len(chunks) >= 2 and all(len(c.text) <= CHUNK_CHARS_CJK for c in chunks)
    assert ARTICLE.endswith(chunks[-1].text)


def test_character_pairs_shared_with_a_question():
    assert shared_pairs("司机需要培训吗", "一些司机担心新车的操作不同，需要重新培训。") == 0.5  # 司机 需要 培训 of 6
    assert shared_pairs("夜间充电", "这项计划也有反对意见。") == 0
    assert shared_pairs("？！", "任何文本") == 0  # punctuation pairs do not count
