"""Every example of the 1984 rules (中国地名汉语拼音字母拼写规则（汉语地名部分）, (84)中地字第17号).

The examples are the rules' own list; a "/" in the rules marks where words are split, so
the expected spellings below are the rules' segmentation written without tones (rule 9
allows toneless spelling on signs and in databases). No database.
"""

from __future__ import annotations

import pytest

from placenames.romanize import romanize

# Rule 1: specific and generic written separately.
RULE_1 = {
    "太行山": "Taihang Shan",
    "松花江": "Songhua Jiang",
    "汾河": "Fen He",
    "太湖": "Tai Hu",
    "舟山群岛": "Zhoushan Qundao",
    "台湾海峡": "Taiwan Haixia",
    "青藏高原": "Qingzang Gaoyuan",
    "密云水库": "Miyun Shuiku",
    "大运河": "Da Yunhe",
    "永丰渠": "Yongfeng Qu",
    "西藏自治区": "Xizang Zizhiqu",
    "江苏省": "Jiangsu Sheng",
    "襄樊市": "Xiangfan Shi",
    "通县": "Tong Xian",
    "西峰镇": "Xifeng Zhen",
    "虹口区": "Hongkou Qu",
    "友谊乡": "Youyi Xiang",
    "京津公路": "Jingjin Gonglu",
    "南京路": "Nanjing Lu",
    "滨江道": "Binjiang Dao",
    "横街": "Heng Jie",
    "长安街": "Chang'an Jie",
    "大马路": "Da Malu",
    "梧桐巷": "Wutong Xiang",
    "门框胡同": "Menkuang Hutong",
}
# Rule 2: one-syllable modifiers join what they modify, longer ones are separate.
RULE_2 = {
    "西辽河": "Xiliao He",
    "潮白新河": "Chaobai Xinhe",
    "新通扬运河": "Xintongyang Yunhe",
    "北雁荡山": "Beiyandang Shan",
    "老秃顶子山": "Laotudingzi Shan",
    "小金门岛": "Xiaojinmen Dao",
    "景山后街": "Jingshan Houjie",
    "造币左路": "Zaobi Zuolu",
    "清波门直街": "Qingbomen Zhijie",
    "后赵家楼胡同": "Houzhaojialou Hutong",
    "朝阳门内大街": "Chaoyangmennei Dajie",
    "南小街": "Nan Xiaojie",
    "小南街": "Xiao Nanjie",
    "南横东街": "Nanheng Dongjie",
    "修文西小巷": "Xiuwen Xixiaoxiang",
    "东直门外南后街": "Dongzhimenwai Nanhoujie",
    "广安门北滨河路": "Guang'anmen Beibinhe Lu",
    "广渠南水关胡同": "Guangqu Nanshuiguan Hutong",
}
# Rule 3: natural villages and towns, all syllables joined (known from the category).
RULE_3 = {
    "王村": "Wangcun",
    "江镇": "Jiangzhen",
    "漷县": "Huoxian",
    "周口店": "Zhoukoudian",
    "文家市": "Wenjiashi",
    "油坊桥": "Youfangqiao",
    "铁匠营": "Tiejiangying",
    "大虎山": "Dahushan",
    "太平沟": "Taipinggou",
    "三岔河": "Sanchahe",
    "龙王集": "Longwangji",
    "龚家棚": "Gongjiapeng",
    "众埠街": "Zhongbujie",
    "南王家荡": "Nanwangjiadang",
}
# Rule 4: a generic that has become part of the specific is written as the specific.
RULE_4 = {
    "渤海湾": "Bohai Wan",
    "黑龙江省": "Heilongjiang Sheng",
    "景德镇市": "Jingdezhen Shi",
    "解放路南小街": "Jiefanglu Nanxiaojie",
    "包头胡同东巷": "Baotou Hutong Dongxiang",
}
# Rule 5: a person's name, surname and given name joined.
RULE_5 = {"左权县": "Zuoquan Xian", "张之洞路": "Zhangzhidong Lu", "欧阳海水库": "Ouyanghai Shuiku"}
# Rule 6: numerals are spelt.
RULE_6 = {
    "五指山": "Wuzhi Shan",
    "九龙江": "Jiulong Jiang",
    "三门峡": "Sanmen Xia",
    "二道沟": "Erdao Gou",
    "第二松花江": "Di'er Songhua Jiang",
    "三眼井胡同": "Sanyanjing Hutong",
    "八角场东街": "Bajiaochang Dongjie",
    "三八路": "Sanba Lu",
    "五一广场": "Wuyi Guangchang",
}
# Rule 7: codes and ordinals of streets and lanes in Arabic digits.
RULE_7 = {
    "1203高地": "1203 Gaodi",
    "1718峰": "1718 Feng",
    "二马路": "2 Malu",
    "经五路": "Jing 5 Lu",
    "三环路": "3 Huanlu",
    "大川淀一巷": "Dachuandian 1 Xiang",
    "东四十二条": "Dongsi 12 Tiao",
    "第九弄": "Di-9 Long",
}
# Rule 8: polyphones by their place-name reading (堡 by region).
RULE_8 = {"十里堡": "Shilipu", "大黄堡": "Dahuangbao", "吴堡": "Wubu"}
# Rules 10-12: capitals, apostrophe, erhua written r.
RULE_10_12 = {
    "李庄": "Lizhuang",
    "珠江": "Zhu Jiang",
    "西安": "Xi'an",
    "建瓯": "Jian'ou",
    "天峨": "Tian'e",
    "盆儿胡同": "Penr Hutong",
}
SETTLEMENTS = set(RULE_3) | {"第六屯", "十里堡", "大黄堡", "吴堡", "李庄"}
EXAMPLES = RULE_1 | RULE_2 | RULE_3 | RULE_4 | RULE_5 | RULE_6 | RULE_7 | RULE_8 | RULE_10_12
EXAMPLES |= {"第六屯": "Diliutun"}


@pytest.mark.parametrize(("name", "expected"), sorted(EXAMPLES.items()))
def test_every_example_of_the_rules(name, expected):
    result = romanize(name, settlement=name in SETTLEMENTS)
    assert result.pinyin == expected
    assert not result.needs_check, result.reason


def test_natural_village_and_county_differ_only_by_category():
    assert romanize("漷县", settlement=True).pinyin == "Huoxian"
    assert romanize("通县").pinyin == "Tong Xian"


def test_bu_or_pu_outside_the_dictionary_stays_open():
    result = romanize("王家堡", settlement=True)
    assert result.pinyin in ("Wangjiabao", "Wangjiabu", "Wangjiapu")
    assert result.needs_check and "堡" in result.reason


def test_er_that_is_not_erhua_is_spelt():
    assert romanize("儿童之家").pinyin == "Ertong Zhi Jia"
    assert romanize("鹤岗市儿童福利院").pinyin == "Hegang Shi Ertong Fuliyuan"
