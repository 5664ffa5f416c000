//! Administrative dressing: Chinese township names, 12-digit statistical
//! division codes (统计用区划代码) and the county/city/province hierarchy.
//!
//! A code is `PP CC DD TTT 000`: province, city, county, township. As in the
//! real scheme, township numbers 001–099 are 街道 (urban sub-districts),
//! 100–199 镇 (towns) and 200–399 乡 (rural townships).

use crate::rng::Stream;

const FIRST: &[char] = &[
    '安', '宝', '北', '碧', '长', '大', '东', '丰', '凤', '高', '古', '光', '广', '和', '河', '鹤',
    '洪', '湖', '华', '黄', '吉', '江', '金', '锦', '景', '九', '康', '兰', '乐', '莲', '临', '龙',
    '芦', '马', '梅', '明', '南', '宁', '平', '青', '清', '仁', '瑞', '三', '沙', '上', '石', '双',
    '顺', '松', '泰', '桃', '天', '田', '万', '溪', '下', '仙', '祥', '新', '兴', '杏', '阳', '杨',
    '永', '玉', '云', '樟', '竹', '紫', '西', '白', '赤', '翠', '福', '桂', '横', '花', '岚', '柳',
];
const SECOND: &[char] = &[
    '山', '水', '溪', '岭', '峰', '岩', '港', '浦', '渡', '坑', '口', '头', '埠', '桥', '塘', '田',
    '坪', '湾', '洋', '源', '川', '林', '城', '村', '庄', '坞', '岙', '滩', '洲', '岗', '亭', '阁',
    '关', '店', '市', '门', '墩', '垟', '畈', '湖', '河', '江', '泉', '谷',
];

/// The kind of a township, which decides its suffix and code range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownKind {
    /// 街道: an urban sub-district.
    Street,
    /// 镇: a town.
    Town,
    /// 乡: a rural township.
    Rural,
}

impl TownKind {
    fn suffix(self) -> &'static str {
        match self {
            TownKind::Street => "街道",
            TownKind::Town => "镇",
            TownKind::Rural => "乡",
        }
    }

    fn first_number(self) -> u32 {
        match self {
            TownKind::Street => 1,
            TownKind::Town => 100,
            TownKind::Rural => 200,
        }
    }
}

/// A two-character place stem, unique among `taken`.
pub fn place_stem(rng: &mut Stream, taken: &mut std::collections::HashSet<String>) -> String {
    loop {
        let a = FIRST[rng.below(FIRST.len())];
        let b = SECOND[rng.below(SECOND.len())];
        let stem: String = [a, b].iter().collect();
        if taken.insert(stem.clone()) {
            return stem;
        }
        // With ~3,500 stems a county never runs out; a province reuses stems
        // across counties, as real provinces do, once a county's set is full.
        if taken.len() >= FIRST.len() * SECOND.len() {
            taken.clear();
        }
    }
}

/// A township's full name from its stem and kind (`青溪镇`).
pub fn township_name(stem: &str, kind: TownKind) -> String {
    format!("{stem}{}", kind.suffix())
}

/// Real province-level codes, used in order for the nation preset.
pub const PROVINCE_CODES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65,
];

/// Numbers townships of one county: streets, towns and rural townships each
/// counted from the start of their range, in the order given.
pub fn township_numbers(kinds: &[TownKind]) -> Vec<u32> {
    let mut next = [TownKind::Street, TownKind::Town, TownKind::Rural].map(|k| k.first_number());
    kinds
        .iter()
        .map(|k| {
            let slot = match k {
                TownKind::Street => 0,
                TownKind::Town => 1,
                TownKind::Rural => 2,
            };
            let n = next[slot];
            next[slot] += 1;
            n
        })
        .collect()
}

/// The 12-digit code.
pub fn code(province: u32, city: u32, county: u32, township: u32) -> String {
    format!("{province:02}{city:02}{county:02}{township:03}000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_twelve_digits_and_follow_the_ranges() {
        let n = township_numbers(&[
            TownKind::Town,
            TownKind::Street,
            TownKind::Town,
            TownKind::Rural,
        ]);
        assert_eq!(n, vec![100, 1, 101, 200]);
        assert_eq!(code(33, 99, 1, 101), "339901101000");
        assert_eq!(township_name("青溪", TownKind::Street), "青溪街道");
    }

    #[test]
    fn stems_are_unique_within_a_set() {
        let mut rng = Stream::new(1, "names", 0);
        let mut taken = std::collections::HashSet::new();
        let stems: Vec<String> = (0..500).map(|_| place_stem(&mut rng, &mut taken)).collect();
        let unique: std::collections::HashSet<_> = stems.iter().collect();
        assert_eq!(unique.len(), 500);
    }
}
