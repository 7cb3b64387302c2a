"""Models of the trainings (每半年一次“走出去”专题培训). Filled by issue 9."""
