"""引进外国专家项目: employers' applications for foreign-expert programmes."""
