from crawler.extract.text import normalize_text, strip_pinyin_glosses, to_simplified, unify_width


def test_glosses_after_han_characters_are_removed():
    assert strip_pinyin_glosses("政策法規(guī) 經(jīng)信廳(tīng)") == "政策法規 經信廳"


def test_full_width_gloss_is_removed_too():
    assert strip_pinyin_glosses("產（chǎn）業") == "產業"


def test_real_parentheses_stay():
    text = "各市、縣(市、區(qū))經(jīng)信局(寧波不發(fā)):河北省先進(jìn)製造業(yè)發(fā)展促進(jìn)條例(征求意見稿)"
    assert strip_pinyin_glosses(text) == "各市、縣(市、區)經信局(寧波不發):河北省先進製造業發展促進條例(征求意見稿)"


def test_latin_text_in_parentheses_without_tone_marks_stays():
    assert strip_pinyin_glosses("附件(xlsx) 名单(PDF)") == "附件(xlsx) 名单(PDF)"


def test_traditional_becomes_simplified():
    assert to_simplified("浙江省經濟和信息化廳") == "浙江省经济和信息化厅"


def test_ascii_punctuation_next_to_han_becomes_full_width():
    assert unify_width("县(市、区)经信局(宁波不发):") == "县（市、区）经信局（宁波不发）："


def test_full_width_digits_become_ascii():
    assert unify_width("２０２５年") == "2025年"


def test_republished_and_original_spellings_normalise_alike():
    republished = "各市、縣(市、區(qū))經(jīng)信局(寧波不發(fā)):\n  為促進(jìn)中小企業(yè)"
    original = "各市、县（市、区）经信局（宁波不发）：\n\u3000\u3000为促进中小企业"
    assert (
        normalize_text(republished)
        == normalize_text(original)
        == "各市、县（市、区）经信局（宁波不发）：\n为促进中小企业"
    )
