"""Synthetic SSDA903 folders for the tests (invented children; no real records).

FOLDER is one collection year, 2024/25, of three children of this authority:
- C100 looked after from 10/02/2024 (foster, then a children's home from 01/09/2024), still
  looked after; missing 30/03/2025 to 31/03/2025 (across the clocks going forward), away
  04/05/2024 to 04/05/2024, and missing from 20/03/2025, not yet back;
- C200 looked after 01/06/2024 to 15/12/2024 in supported accommodation, missing
  05/07/2024 to 08/07/2024;
- C300 in header.csv but never looked after in the year (no episodes), and no missing rows.

XML is the same folder in the 903 XML layout.
"""

from __future__ import annotations

HEADER = """\
CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
C100,1,14/05/2009,WBRI,,,
C200,2,02/11/2008,BAFR,,,
C300,2,23/01/2012,,,,
"""

EPISODES = """\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C100,10/02/2024,S,C2,N1,U3,PR1,01/09/2024,X1,CARPL,,,
C100,01/09/2024,P,C2,N1,K2,PR2,,,,,,
C200,01/06/2024,S,V2,N4,H5,PR2,15/12/2024,E13,,,,
"""

MISSING = """\
CHILD,DOB,MISSING,MIS_START,MIS_END
C100,14/05/2009,M,30/03/2025,31/03/2025
C100,14/05/2009,A,04/05/2024,04/05/2024
C100,14/05/2009,M,20/03/2025,
C200,02/11/2008,M,05/07/2024,08/07/2024
"""

FOLDER = {"header.csv": HEADER, "episodes.csv": EPISODES, "missing.csv": MISSING}

XML = """\
<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>C100</CHILDID><UPN/><SEX>1</SEX><DOB>14/05/2009</DOB><ETHNIC>WBRI</ETHNIC>
      <MOTHER/><MC_DOB/>
      <AMISSING><MISSING>M</MISSING><MIS_START>30/03/2025</MIS_START>
        <MIS_END>31/03/2025</MIS_END></AMISSING>
      <AMISSING><MISSING>A</MISSING><MIS_START>04/05/2024</MIS_START>
        <MIS_END>04/05/2024</MIS_END></AMISSING>
      <AMISSING><MISSING>M</MISSING><MIS_START>20/03/2025</MIS_START><MIS_END/></AMISSING>
    </HEADER>
    <EPISODE><DECOM>10/02/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U3</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>01/09/2024</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE><HOME_POST/><PL_POST/><URN/></EPISODE>
    <EPISODE><DECOM>01/09/2024</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>K2</PL>
      <PLACE_PROVIDER>PR2</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE/>
      <HOME_POST/><PL_POST/><URN/></EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>C200</CHILDID><UPN/><SEX>2</SEX><DOB>02/11/2008</DOB><ETHNIC>BAFR</ETHNIC>
      <MOTHER/><MC_DOB/>
      <AMISSING><MISSING>M</MISSING><MIS_START>05/07/2024</MIS_START>
        <MIS_END>08/07/2024</MIS_END></AMISSING>
    </HEADER>
    <EPISODE><DECOM>01/06/2024</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N4</CIN><PL>H5</PL>
      <PLACE_PROVIDER>PR2</PLACE_PROVIDER><DEC>15/12/2024</DEC><REC>E13</REC>
      <REASON_PLACE_CHANGE/><HOME_POST/><PL_POST/><URN/></EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>C300</CHILDID><UPN/><SEX>2</SEX><DOB>23/01/2012</DOB><ETHNIC/>
      <MOTHER/><MC_DOB/>
    </HEADER>
  </CHILD>
</EXPSSDA903>
"""


def with_changes(folder: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    """A copy of the folder with one text replaced in one file (which must hold it)."""
    assert old in folder[name], f"{old!r} is not in {name}"
    return {**folder, name: folder[name].replace(old, new, 1)}
